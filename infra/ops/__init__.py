"""What operators need: structured logs, health and readiness, Prometheus metrics."""
