"""BGP timers of the lab's own daemons (route servers, the IX member, the transit providers).

Our edges keep the timers their intent renders; a session's hold time is the lower of the two
sides', so these decide how soon a dead session is seen. They are short, as a lab's are: the
outage checks wait for every session to come back after each outage (an IX's or a provider's
own daemons keep longer ones, which changes how long recovery takes, not what it does).
"""

from __future__ import annotations

#: Seconds between attempts to open a session that is not up.
CONNECT_RETRY_S = 2
#: Seconds BIRD waits after its start (or a restart after an error) before it first connects.
CONNECT_DELAY_S = 1
#: After a session failed, BIRD refuses the client for this long (min, max s; 60, 300 by
#: default), so a client back from an outage is let in again within seconds.
ERROR_WAIT_S = (1, 5)
#: A peer holds an Established session until its hold time runs out, refusing our edge's new
#: connection meanwhile: after an edge outage the session is back within about this long, and
#: a member moves off a dead IX port within it.
KEEPALIVE_S, HOLD_S = 2, 6
