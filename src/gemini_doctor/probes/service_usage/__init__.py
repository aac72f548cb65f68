"""Service Usage (serviceusage.googleapis.com): is the service the call needs enabled?"""
