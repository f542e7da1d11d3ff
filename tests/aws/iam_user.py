#!/usr/bin/env python3
"""Creates an IAM user in moto (tests/aws/moto_server.py) with a policy, then makes moto enforce IAM.

    python iam_user.py --endpoint http://127.0.0.1:PORT --policy iam/read-only.json --out CREDS.json
                       [--user NAME] [--managed] [--enforce edgetop|moto|none]

Run it after seed.py: once enforcement is on, the server accepts only requests signed with the access key of an
IAM user moto knows (seed.py's "testing" credentials are then rejected with InvalidClientTokenId), and allows only
what that user's policies allow.

* The user (default "edgetop-reader") gets FILE as an inline policy, or with --managed as a customer managed
  policy attached to it. Re-running with the same --user replaces the policy and the access key, so one server
  can be reused for several policies; enforcement is switched off while the user is (re)made.
* Writes {"AccessKeyId": ..., "SecretAccessKey": ...} to CREDS.json.
* With --role PATH/NAME (say /edgetop/oncall), makes a role of that path and name instead, with FILE inline,
  which the account may assume, assumes it (session "doctor"), and writes the session's credentials, with
  "SessionToken", to CREDS.json: what an instance role or an SSO role gives a bastion.
* Then switches enforcement on:
    --enforce edgetop (default): moto_server.py's own check (POST /_edgetop/iam {"enforce": true}), which names
        actions and resources as AWS does (apigateway:GET on arn:aws:apigateway:<region>::/restapis, ...) and
        evaluates the policies with moto's IAM code; moto's own check stays off. Also covers the operations
        moto_server.py answers itself (GetUsage, GetSampledRequests, ...).
    --enforce moto: moto's own check (POST "0" to /moto-api/reset-auth: INITIAL_NO_AUTH_ACTION_COUNT, the number
        of unauthenticated requests still allowed). In moto 5.2.5 this is of little use for edgetop: every
        body-less REST request (all API Gateway and CloudFront calls) fails with SignatureDoesNotMatch, the
        action is "<signing name>:<operation>" ("monitoring:ListMetrics", "apigateway:GetRestApis") checked
        against resource "*", denials are XML that the awsJson/awsQuery SDKs cannot parse, and the
        operations moto_server.py answers itself are not checked.
    --enforce none: leave both off.
  To switch off again: POST {"enforce": false} to /_edgetop/iam and "inf" to /moto-api/reset-auth.
"""
import argparse
import json
import os
import sys
import urllib.request

for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
             ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "eu-west-1")):
    os.environ.setdefault(k, v)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402


def reset_auth(endpoint, count):
    """Sets moto's number of unauthenticated requests still allowed; returns the previous setting."""
    req = urllib.request.Request(endpoint.rstrip("/") + "/moto-api/reset-auth", data=str(count).encode(),
                                 method="POST", headers={"Content-Type": "text/plain"})
    # (urllib's default form content type would make moto's Flask app parse the body as a form: request.data
    # then is empty and reset-auth fails with a 500)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]


def set_edgetop_iam(endpoint, enforce):
    req = urllib.request.Request(endpoint.rstrip("/") + "/_edgetop/iam", method="POST",
                                 data=json.dumps({"enforce": enforce}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["enforce"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--policy", required=True, help="IAM policy document (JSON file)")
    ap.add_argument("--out", required=True, help='where to write {"AccessKeyId", "SecretAccessKey"}')
    ap.add_argument("--user", default="edgetop-reader")
    ap.add_argument("--role", help="PATH/NAME: make and assume a role instead of a user")
    ap.add_argument("--managed", action="store_true", help="attach as a managed policy instead of inline")
    ap.add_argument("--enforce", choices=["edgetop", "moto", "none"], default="edgetop",
                    help="which IAM check to switch on afterwards (default: edgetop)")
    args = ap.parse_args()

    with open(args.policy, encoding="utf-8") as f:
        document = f.read()
    json.loads(document)  # fail early on a malformed file

    # The "testing" credentials used below are not an IAM user's: switch every check off meanwhile.
    set_edgetop_iam(args.endpoint, False)
    reset_auth(args.endpoint, "inf")
    try:
        iam = boto3.client("iam", endpoint_url=args.endpoint, region_name="us-east-1")
        if args.role:
            key = make_role(iam, args, document)
            write_creds(args.out, key)
            return enforce(args)
        user = args.user
        try:
            iam.create_user(UserName=user)
        except iam.exceptions.EntityAlreadyExistsException:
            for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
                iam.delete_user_policy(UserName=user, PolicyName=name)
            for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
                iam.detach_user_policy(UserName=user, PolicyArn=p["PolicyArn"])
                iam.delete_policy(PolicyArn=p["PolicyArn"])
            for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=user, AccessKeyId=k["AccessKeyId"])
        policy_name = f"{user}-policy"
        if args.managed:
            arn = iam.create_policy(PolicyName=policy_name, PolicyDocument=document)["Policy"]["Arn"]
            iam.attach_user_policy(UserName=user, PolicyArn=arn)
        else:
            iam.put_user_policy(UserName=user, PolicyName=policy_name, PolicyDocument=document)
        key = iam.create_access_key(UserName=user)["AccessKey"]
    except BaseException:
        if args.enforce == "edgetop":
            set_edgetop_iam(args.endpoint, True)
        elif args.enforce == "moto":
            reset_auth(args.endpoint, 0)
        raise

    write_creds(args.out, key)
    return enforce(args)


def make_role(iam, args, document):
    """The role PATH/NAME with the policy inline, assumable by the account; its session's credentials."""
    path, _, name = args.role.rpartition("/")
    path = (path.strip("/") and "/" + path.strip("/") + "/") or "/"
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]})
    try:
        arn = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=document)
    sts = boto3.client("sts", endpoint_url=args.endpoint, region_name="eu-west-1")
    return sts.assume_role(RoleArn=arn, RoleSessionName="doctor")["Credentials"]


def write_creds(out, key):
    tmp = out + ".tmp"
    creds = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    if key.get("SessionToken"):
        creds["SessionToken"] = key["SessionToken"]
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(creds, f)
    os.replace(tmp, out)


def enforce(args):
    if args.enforce == "edgetop":
        set_edgetop_iam(args.endpoint, True)
    elif args.enforce == "moto":
        reset_auth(args.endpoint, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
