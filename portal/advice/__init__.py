"""Front-door advice requests: a DSL asks before deciding whether to refer (a child named or not)."""
