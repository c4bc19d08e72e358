"""What people read and look at: :mod:`.text` (the one-screen text report) and :mod:`.charts`
(Altair charts).
"""
