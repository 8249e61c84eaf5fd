"""Expert evaluation (专家评标): the expert pool, random draws with recusal, committees, scoring."""
