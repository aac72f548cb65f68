"""Regex machinery shared by the parser, the catalogue and redaction: prefilters, folding, one-pass
literal scans."""
