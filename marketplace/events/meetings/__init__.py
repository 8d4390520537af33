"""B2B matchmaking: the participants directory, meeting requests, sessions and the scheduler, agendas and
outcomes."""
