"""One SSH stack for deploy and verify: OpenSSH with one master connection per device.

- :mod:`communet.transport.endpoint`: where and as whom to connect (address, user,
  key, the known_hosts file that pins the host key);
- :mod:`communet.transport.openssh`: a :class:`Session` per device, every command a
  channel over its one connection (``ControlMaster``), children in their own process
  group, output decoded tolerantly;
- :mod:`communet.transport.batch`: several commands in one round trip.
"""

from communet.transport.endpoint import Endpoint
from communet.transport.openssh import HostKeyChanged, Output, Session, Unreachable

__all__ = ["Endpoint", "HostKeyChanged", "Output", "Session", "Unreachable"]
