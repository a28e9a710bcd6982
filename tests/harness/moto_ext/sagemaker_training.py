"""SageMaker training jobs: StopTrainingJob, the InProgress / Stopping /
Stopped states, and the training and billable times of DescribeTrainingJob.

EXTENSION, against the Amazon SageMaker API reference:
- StopTrainingJob (moto 5.2.1: not implemented, HTTP 500). "When it receives
  a StopTrainingJob request, SageMaker changes the status of the job to
  Stopping. After SageMaker stops the job, it sets the status to Stopped."
  A job that is not InProgress is refused with ValidationException; an
  unknown job with ResourceNotFound. Here the job answers Stopping to the
  next `costops-test:stopping-polls` (default 1) DescribeTrainingJob calls,
  then Stopped with TrainingEndTime set.
- DescribeTrainingJob TrainingTimeInSeconds / BillableTimeInSeconds, which
  moto never returns. AWS returns them once the job has ended. Derived here
  as: TrainingTimeInSeconds = whole seconds from TrainingStartTime to
  TrainingEndTime, at least 1 (moto's jobs "train" for no time at all), or
  the tag `costops-test:training-seconds` when present; for a managed Spot
  job BillableTimeInSeconds = ceil(TrainingTimeInSeconds * (100 - D) / 100)
  where D is the tag `costops-test:spot-discount-percent` (default 70, a
  typical Spot discount), otherwise BillableTimeInSeconds =
  TrainingTimeInSeconds. The documented formula for the savings,
  (1 - BillableTimeInSeconds / TrainingTimeInSeconds) * 100, then gives
  about D percent.
- Test hook (not an AWS feature): moto completes every job at once. A job
  created with the tag `costops-test:in-progress-polls = N` answers
  InProgress (SecondaryStatus Training) to its first N DescribeTrainingJob
  calls, then Completed; `= forever` keeps it InProgress until stopped.
"""
import json
import math
import threading

from werkzeug.wrappers import Response

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.sagemaker.models import sagemaker_backends

from . import extension, on_reset

_lock = threading.Lock()
_jobs = {}   # ARN -> {"in_progress": int|inf, "stopping": int}


@on_reset
def _reset():
    with _lock:
        _jobs.clear()


def _tags(job):
    return {t.get("Key"): t.get("Value") for t in (job.tags or [])}


def _int_tag(job, key, default):
    v = _tags(job).get(key)
    if v is None:
        return default
    if v == "forever":
        return math.inf
    try:
        return max(0, int(v))
    except ValueError:
        return default


def _job(region, body):
    name = (json.loads(body or b"{}") or {}).get("TrainingJobName", "")
    return name, sagemaker_backends[DEFAULT_ACCOUNT_ID][region].training_jobs.get(name)


def _track(job):
    """The simulated life of a job, set up the first time it is seen."""
    st = _jobs.get(job.arn)
    if st is None:
        st = {"in_progress": _int_tag(job, "costops-test:in-progress-polls", 0),
              "stopping": _int_tag(job, "costops-test:stopping-polls", 1)}
        _jobs[job.arn] = st
        if st["in_progress"] > 0:
            job.training_job_status = "InProgress"
            job.secondary_status = "Training"
            job.training_end_time = None
    return st


def _finish(job, status):
    job.training_job_status = status
    job.secondary_status = status
    job.training_end_time = utcnow()
    job.last_modified_time = job.training_end_time


def _set_times(job):
    if job.training_job_status not in ("Completed", "Stopped", "Failed"):
        for attr in ("training_time_in_seconds", "billable_time_in_seconds"):
            job.__dict__.pop(attr, None)
        return
    if "training_time_in_seconds" in job.__dict__:
        return
    training = _int_tag(job, "costops-test:training-seconds", None)
    if training is None or training == math.inf:
        start = job.training_start_time or job.creation_time
        end = job.training_end_time or utcnow()
        training = max(1, int((end - start).total_seconds()))
    billable = training
    if job.enable_managed_spot_training:
        discount = _int_tag(job, "costops-test:spot-discount-percent", 70)
        discount = min(100, discount)
        billable = math.ceil(training * (100 - discount) / 100)
    job.training_time_in_seconds = int(training)
    job.billable_time_in_seconds = int(billable)


def _error(code, message):
    return Response(json.dumps({"__type": code, "message": message}), status=400,
                    content_type="application/x-amz-json-1.1",
                    headers={"x-amzn-RequestId": "costops-ext"})


@extension("sagemaker", lambda req, op: op == "DescribeTrainingJob")
def describe_training_job(request, region, body):
    """EXTENSION: status progression and TrainingTimeInSeconds /
    BillableTimeInSeconds (see module docstring). Adjusts moto's job, then
    lets moto answer (and answer for unknown jobs)."""
    _, job = _job(region, body)
    if job is None:
        return None
    with _lock:
        st = _track(job)
        if job.training_job_status == "Stopping":
            if st["stopping"] > 0:
                st["stopping"] -= 1
            else:
                _finish(job, "Stopped")
        elif job.training_job_status == "InProgress":
            if st["in_progress"] > 0:
                st["in_progress"] -= 1
            else:
                _finish(job, "Completed")
        _set_times(job)
    return None


@extension("sagemaker", lambda req, op: op == "StopTrainingJob")
def stop_training_job(request, region, body):
    """EXTENSION: StopTrainingJob (SageMaker API reference): InProgress ->
    Stopping -> Stopped; 200 with an empty body."""
    name, job = _job(region, body)
    if job is None:
        return _error("ResourceNotFound", f"Requested resource not found: training job {name}")
    with _lock:
        _track(job)
        if job.training_job_status != "InProgress":
            return _error("ValidationException",
                          "The request was rejected because the training job is in "
                          f"status {job.training_job_status}.")
        job.training_job_status = "Stopping"
        job.secondary_status = "Stopping"
        job.last_modified_time = utcnow()
    return Response("{}", content_type="application/x-amz-json-1.1")
