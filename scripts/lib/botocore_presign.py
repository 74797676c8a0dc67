"""Presigned S3 URLs from botocore, the reference the Swift presigner is compared with (Tests/S3KitTests).

Reads one JSON case per line on stdin — endpoint, region, bucket, access, secret, method (GET|PUT), key, expires,
content_type (optional), content_length (optional), epoch (the signing time, seconds), path_style — and prints one URL per line, signed by
botocore with its clock fixed at `epoch`.
"""
import datetime
import json
import sys
from unittest import mock

import botocore.session
from botocore.config import Config

session = botocore.session.get_session()
for line in sys.stdin:
    case = json.loads(line)
    client = session.create_client(
        "s3",
        region_name=case["region"],
        endpoint_url=case["endpoint"],
        aws_access_key_id=case["access"],
        aws_secret_access_key=case["secret"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path" if case["path_style"] else "virtual"}),
    )
    params = {"Bucket": case["bucket"], "Key": case["key"]}
    if case.get("content_type"):
        params["ContentType"] = case["content_type"]
    if case.get("content_length") is not None:
        params["ContentLength"] = case["content_length"]
    operation = "put_object" if case["method"] == "PUT" else "get_object"
    signing_time = datetime.datetime.fromtimestamp(case["epoch"], tz=datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=signing_time):
        url = client.generate_presigned_url(operation, Params=params, ExpiresIn=case["expires"])
    print(url, flush=True)
