"""Cloud Billing (cloudbilling.googleapis.com): the consumer project's billing."""
