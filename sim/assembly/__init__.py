"""The General Assembly: a second body beside the Security Council, with its own rule
(Article 18, :class:`sim.engine.rules.AssemblyRule`), its own members (the UN's member states
on the day of the vote) and the same latent vote model (:class:`sim.engine.model.VoteModel`:
common factor, regional blocs, alignment axis). No I/O beyond the packaged membership table.
"""
