#!/usr/bin/env python3
"""Makes botocore (boto3 and the aws CLI v1) speak awsQuery (or awsJson) to CloudWatch.

botocore >= 1.40 picks smithy-rpc-v2-cbor for CloudWatch, which moto 5.2.5 does not speak (it answers with a
body botocore silently parses as empty). The AWS service accepts awsQuery, and so does moto, so a copy of
botocore's CloudWatch model that lists only "query" is written to a cache directory and put first on
AWS_DATA_PATH. awsJson is also offered: moto parses a large awsQuery PutMetricData in quadratic time
(1,000 data: 10 s) but awsJson in linear time (0.16 s), so the seeder writes metrics with it.

    import botomodels; botomodels.force_cloudwatch_protocol("query")   # before creating boto3 clients
    export AWS_DATA_PATH="$(python botomodels.py [query|json])"  # for the aws CLI
"""
import json
import os
import sys


def override_dir(protocol="query"):
    import botocore
    from botocore.loaders import Loader

    root = os.path.join(os.path.expanduser("~"), ".cache", "edgetop", f"botocore-models-{botocore.__version__}-cloudwatch-{protocol}")
    target = os.path.join(root, "cloudwatch", "2010-08-01", "service-2.json")
    if not os.path.exists(target):
        model = Loader().load_service_model("cloudwatch", "service-2")
        model["metadata"]["protocol"] = protocol
        model["metadata"]["protocols"] = [protocol]
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(model, f)
        os.replace(tmp, target)
    return root


def force_cloudwatch_protocol(protocol="query"):
    assert protocol in ("query", "json"), protocol
    root = override_dir(protocol)
    paths = [p for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if p and p != root]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join([root] + paths)
    return root


if __name__ == "__main__":
    print(force_cloudwatch_protocol(sys.argv[1] if len(sys.argv) > 1 else "query"))
    sys.exit(0)
