"""Tech fairs (chợ công nghệ, Techmart): events, registration with capacity and waitlist, tickets and
check-in, exhibitors and booths, B2B matchmaking meetings and their outcomes."""
