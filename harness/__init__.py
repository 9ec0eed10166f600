"""What the tests and the benchmarks both drive the site with: a recording
SMTP server, forms with their CSRF token, real server processes, free ports."""
