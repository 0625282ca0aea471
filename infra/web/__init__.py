"""What every page and API shares: headers, CSRF, languages, errors, rate limits, JSON input."""
