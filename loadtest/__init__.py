"""Load test: a seeded community of 12,000 people and an open-loop page mix against gunicorn.

See loadtest/run.sh (``make load``) and the Benchmarks section of the README.
"""
