"""Who may do what. `actor` names who acts, `policy` decides, `access` gathers a session's facts and
applies the decision; every feature's services call it, so pages only hide what it already refuses."""
