"""``teamsim replay``: a firm's actual history paid through every plan of a scenario, exactly and with no
behavioural response (:mod:`history`, :mod:`static`, :mod:`output`), beside the forecast of the model
calibrated on that history (:mod:`forecast`)."""
