"""Site-wide web layer: home page, language, security headers, templates helpers, error pages."""
