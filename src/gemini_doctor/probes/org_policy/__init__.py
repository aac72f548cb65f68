"""Organization Policy (orgpolicy.googleapis.com): the constraints a project's organization puts on the
call."""
