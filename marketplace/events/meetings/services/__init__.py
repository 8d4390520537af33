"""B2B services: ``meetings`` (requests, answers, cancellations, agendas, outcomes), ``directory`` (who opted
in, what they bring, suggestions) and ``scheduling`` (sessions, availability, assignment, the scheduler run)."""
