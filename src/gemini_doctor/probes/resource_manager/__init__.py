"""Resource Manager (cloudresourcemanager.googleapis.com): the consumer project, and the caller's permission
on it."""

from __future__ import annotations

from ..runner import Context


async def project_iam_policy(ctx: Context, token: str | None):
    """The configured project's IAM policy, version 3 (getIamPolicy: a read, despite its POST), as `token`."""
    return await ctx.http.call(
        "POST",
        "cloudresourcemanager",
        f"/v1/projects/{ctx.setup.project}:getIamPolicy",
        token=token,
        json={"options": {"requestedPolicyVersion": 3}},
    )
