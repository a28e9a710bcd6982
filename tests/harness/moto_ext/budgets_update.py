"""EXTENSION: the AWS Budgets calls moto 5.2.1 lacks or gets wrong, written
against the AWS Budgets API reference (AWS Billing and Cost Management API
Reference, "Actions, AWS Budgets"):

- UpdateBudget            (API_budgets_UpdateBudget)
- UpdateNotification      (API_budgets_UpdateNotification)
- CreateSubscriber        (API_budgets_CreateSubscriber)
- DeleteSubscriber        (API_budgets_DeleteSubscriber)
- DescribeSubscribersForNotification (API_budgets_DescribeSubscribersForNotification)
- CreateNotification and DeleteNotification, which moto implements but
  without the documented DuplicateRecordException, NotFoundException and
  CreationLimitExceededException (a budget has at most 10 notifications, a
  notification 1 SNS and 10 email subscribers: API_budgets_Notification).

Everything operates on moto's own budgets backend (moto.budgets.models), so
moto's DescribeBudget / DescribeNotificationsForBudget see the changes.
"""
import json

from moto.budgets.models import Notification, budgets_backends
from moto.core.utils import unix_time
from moto.iam.models import get_account_id_from
from werkzeug.wrappers import Response

from . import extension

_OPS = {"UpdateBudget", "UpdateNotification", "CreateSubscriber", "DeleteSubscriber",
        "DescribeSubscribersForNotification", "CreateNotification", "DeleteNotification"}

MAX_NOTIFICATIONS = 10      # API_budgets_Notification: "up to ten notifications"
MAX_EMAIL_SUBSCRIBERS = 10  # "one SNS subscriber and up to 10 email subscribers"
MAX_SNS_SUBSCRIBERS = 1


class BudgetsError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def _error(code, message):
    body = json.dumps({"__type": code, "Message": message})
    return Response(body, status=400, content_type="application/x-amz-json-1.1",
                    headers={"X-Amzn-ErrorType": code})


def _ok(payload=None):
    return Response(json.dumps(payload or {}), status=200,
                    content_type="application/x-amz-json-1.1")


def _caller_account(request):
    """The moto account the request belongs to, as moto's BaseResponse
    derives it (x-moto-account-id, else the access key)."""
    if "x-moto-account-id" in request.headers:
        return request.headers["x-moto-account-id"]
    auth = request.headers.get("Authorization", "")
    key = ""
    if "Credential=" in auth:
        key = auth.split("Credential=", 1)[1].split("/", 1)[0]
    return get_account_id_from(key)


def _budget(request, params):
    backend = budgets_backends[_caller_account(request)]["aws"]
    account = params.get("AccountId")
    name = params.get("BudgetName")
    if not account or not name:
        raise BudgetsError("InvalidParameterException",
                           "AccountId and BudgetName are required.")
    budget = backend.budgets[account].get(name)
    if budget is None:
        raise BudgetsError("NotFoundException",
                           f"Unable to get budget: {name} - the budget doesn't exist.")
    return budget


def _key(n):
    """What identifies a notification within a budget: its type, operator,
    threshold and threshold type (PERCENTAGE when omitted)."""
    if not isinstance(n, dict):
        raise BudgetsError("InvalidParameterException", "Notification is required.")
    for f in ("NotificationType", "ComparisonOperator", "Threshold"):
        if f not in n:
            raise BudgetsError("InvalidParameterException", f"Notification.{f} is required.")
    if n["NotificationType"] not in ("ACTUAL", "FORECASTED"):
        raise BudgetsError("InvalidParameterException",
                           f"Invalid NotificationType {n['NotificationType']!r}.")
    if n["ComparisonOperator"] not in ("GREATER_THAN", "LESS_THAN", "EQUAL_TO"):
        raise BudgetsError("InvalidParameterException",
                           f"Invalid ComparisonOperator {n['ComparisonOperator']!r}.")
    try:
        threshold = float(n["Threshold"])
    except (TypeError, ValueError):
        raise BudgetsError("InvalidParameterException", "Threshold must be a number.")
    # API_budgets_Notification: Threshold, "Minimum value of 0. Maximum
    # value of 15000000000000."
    if threshold < 0 or threshold > 15000000000000:
        raise BudgetsError("InvalidParameterException", "Threshold is out of range.")
    ttype = n.get("ThresholdType", "PERCENTAGE")
    if ttype not in ("PERCENTAGE", "ABSOLUTE_VALUE"):
        raise BudgetsError("InvalidParameterException", f"Invalid ThresholdType {ttype!r}.")
    return (n["NotificationType"], n["ComparisonOperator"], threshold, ttype)


def _find(budget, notification):
    k = _key(notification)
    for n in budget.notifications:
        if _key(n.details) == k:
            return n
    return None


def _check_subscriber(s):
    if not isinstance(s, dict) or s.get("SubscriptionType") not in ("SNS", "EMAIL") \
            or not s.get("Address"):
        raise BudgetsError("InvalidParameterException",
                           "A subscriber needs SubscriptionType SNS or EMAIL and an Address.")
    return (s["SubscriptionType"], s["Address"])


def _check_subscriber_limits(subscribers):
    sns = sum(1 for s in subscribers if s["SubscriptionType"] == "SNS")
    email = sum(1 for s in subscribers if s["SubscriptionType"] == "EMAIL")
    if sns > MAX_SNS_SUBSCRIBERS or email > MAX_EMAIL_SUBSCRIBERS:
        raise BudgetsError("CreationLimitExceededException",
                           "A notification can have 1 SNS subscriber and up to 10 "
                           "email subscribers.")


def update_budget(request, params):
    """API_budgets_UpdateBudget: replaces every part of the budget except its
    name; notifications are untouched."""
    new = params.get("NewBudget")
    if not isinstance(new, dict):
        raise BudgetsError("InvalidParameterException", "NewBudget is required.")
    budget = _budget(request, {"AccountId": params.get("AccountId"),
                               "BudgetName": new.get("BudgetName")})
    if "BudgetLimit" not in new and "PlannedBudgetLimits" not in new:
        raise BudgetsError("InvalidParameterException",
                           "Unable to create/update budget - please provide one of the "
                           "followings: Budget Limit/ Planned Budget Limit/ Auto Adjust Data")
    kept = {k: budget.budget[k] for k in ("TimePeriod",) if k in budget.budget}
    budget.budget = dict(new)
    for k, v in kept.items():
        budget.budget.setdefault(k, v)
    # "calculatedSpend drops to zero until AWS has new usage data".
    budget.budget.pop("CalculatedSpend", None)
    budget.budget["LastUpdatedTime"] = unix_time()
    return {}


def create_notification(request, params):
    budget = _budget(request, params)
    notification = params.get("Notification")
    if _find(budget, notification) is not None:
        raise BudgetsError("DuplicateRecordException",
                           "Error creating notification - the notification already exists.")
    if len(budget.notifications) >= MAX_NOTIFICATIONS:
        raise BudgetsError("CreationLimitExceededException",
                           "You've exceeded the notification limit of 10 for this budget.")
    subscribers = params.get("Subscribers") or []
    if not subscribers:
        raise BudgetsError("InvalidParameterException",
                           "A notification needs at least one subscriber.")
    keys = [_check_subscriber(s) for s in subscribers]
    if len(set(keys)) != len(keys):
        raise BudgetsError("InvalidParameterException", "Duplicate subscribers.")
    _check_subscriber_limits(subscribers)
    budget.notifications.append(Notification(dict(notification), list(subscribers)))
    return {}


def delete_notification(request, params):
    budget = _budget(request, params)
    n = _find(budget, params.get("Notification"))
    if n is None:
        raise BudgetsError("NotFoundException",
                           "Unable to delete notification - the notification doesn't exist.")
    budget.notifications.remove(n)
    return {}


def update_notification(request, params):
    budget = _budget(request, params)
    old = _find(budget, params.get("OldNotification"))
    if old is None:
        raise BudgetsError("NotFoundException",
                           "Unable to update notification - the notification doesn't exist.")
    new = params.get("NewNotification")
    other = _find(budget, new)
    if other is not None and other is not old:
        raise BudgetsError("DuplicateRecordException",
                           "Error updating notification - the notification already exists.")
    old.details = dict(new)
    return {}


def create_subscriber(request, params):
    budget = _budget(request, params)
    n = _find(budget, params.get("Notification"))
    if n is None:
        raise BudgetsError("NotFoundException",
                           "Unable to create subscriber - the notification doesn't exist.")
    sub = params.get("Subscriber")
    k = _check_subscriber(sub)
    if any(_check_subscriber(s) == k for s in n.subscribers):
        raise BudgetsError("DuplicateRecordException",
                           "Error creating subscriber - the subscriber already exists.")
    _check_subscriber_limits(list(n.subscribers) + [sub])
    n.subscribers = list(n.subscribers) + [dict(sub)]
    return {}


def delete_subscriber(request, params):
    budget = _budget(request, params)
    n = _find(budget, params.get("Notification"))
    if n is None:
        raise BudgetsError("NotFoundException",
                           "Unable to delete subscriber - the notification doesn't exist.")
    k = _check_subscriber(params.get("Subscriber"))
    kept = [s for s in n.subscribers if _check_subscriber(s) != k]
    if len(kept) == len(n.subscribers):
        raise BudgetsError("NotFoundException",
                           "Unable to delete subscriber - the subscriber doesn't exist.")
    n.subscribers = kept
    return {}


def describe_subscribers(request, params):
    """Paginated with MaxResults (1-100, default 100) and NextToken."""
    budget = _budget(request, params)
    n = _find(budget, params.get("Notification"))
    if n is None:
        raise BudgetsError("NotFoundException",
                           "Unable to get subscribers - the notification doesn't exist.")
    size = int(params.get("MaxResults") or 100)
    if size < 1 or size > 100:
        raise BudgetsError("InvalidParameterException", "MaxResults must be 1-100.")
    start = int(params.get("NextToken") or 0)
    page = n.subscribers[start:start + size]
    out = {"Subscribers": page}
    if start + size < len(n.subscribers):
        out["NextToken"] = str(start + size)
    return out


_IMPL = {
    "UpdateBudget": update_budget,
    "UpdateNotification": update_notification,
    "CreateSubscriber": create_subscriber,
    "DeleteSubscriber": delete_subscriber,
    "DescribeSubscribersForNotification": describe_subscribers,
    "CreateNotification": create_notification,
    "DeleteNotification": delete_notification,
}


@extension("budgets", lambda request, operation: operation in _OPS)
def handle(request, region, body):
    """EXTENSION: dispatches the Budgets operations listed above."""
    operation = request.headers.get("X-Amz-Target", "").split(".")[-1]
    try:
        params = json.loads(body or b"{}")
        return _ok(_IMPL[operation](request, params))
    except BudgetsError as e:
        return _error(e.code, e.message)
    except (ValueError, TypeError) as e:
        return _error("InvalidParameterException", str(e))
