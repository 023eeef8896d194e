"""Laws at the edges of the model's rules, each written to kill mutants of `model/` that survived
the rest of the suite (`benchmarks/mutation_score.py`; the module's name is the model module
whose mutants it kills).  Part of the mutation score's test selection (`[tool.mutmut]`)."""
