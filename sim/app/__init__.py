"""The live workshop app (Dash): lever controls, a Run button, the last few runs side by side.

``teamsim app [FILE]`` calls :func:`sim.app.server.serve`. The app is the one face that runs the
model, and it does so only in background processes (:mod:`sim.app.runner`).
"""
