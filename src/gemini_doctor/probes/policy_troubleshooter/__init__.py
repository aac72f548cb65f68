"""Policy Troubleshooter (policytroubleshooter.googleapis.com): why IAM refused the caller."""
