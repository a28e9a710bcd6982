"""ECR images: digests and push times as ECR records them.

EXTENSION, two fidelity fixes to moto's image model (moto keeps everything
else: PutImage, DescribeImages, BatchDeleteImage run unchanged).

1. Digest. Amazon ECR API reference, ImageIdentifier.imageDigest / PutImage
   imageDigest: "The image digest of the image manifest"; a registry names a
   manifest by the sha256 of its bytes (OCI distribution spec, "Content
   Digests"). moto 5 hashes the concatenated *layer* digests instead, so every
   manifest with the same layers (or none) gets one digest, and distinct
   images collapse into one identity. Here a PutImage without imageDigest
   gets sha256(manifest bytes).

2. Push time. ImageDetail.imagePushedAt: "The date and time ... at which the
   current image was pushed to the repository", returned by ECR with
   millisecond precision (epoch seconds with a fraction, e.g. 1718000000.123).
   moto stores int(now), so images pushed within one second tie, and
   lifecycle rules that order images by push time ("Expiration is always
   ordered by pushed_at_time", ECR user guide, lifecycle policy evaluation
   rules) cannot tell them apart. Here the push time keeps milliseconds.
"""
import hashlib
from datetime import datetime, timezone

from moto.ecr import models as _ecr

_original_init = _ecr.Image.__init__


def _init(self, account_id, tag, manifest, repository, image_manifest_mediatype=None,
          digest=None, registry_id=None):
    """EXTENSION: manifest digest and millisecond push time (module doc)."""
    if digest is None and isinstance(manifest, str):
        digest = "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()
    _original_init(self, account_id, tag, manifest, repository,
                   image_manifest_mediatype, digest, registry_id)
    self.image_pushed_at = round(datetime.now(timezone.utc).timestamp(), 3)


if not getattr(_ecr.Image.__init__, "_costops_ext", False):
    _init._costops_ext = True
    _ecr.Image.__init__ = _init
