"""Deploy: push rendered configs to the running network, one device at a time, safely.

Per device: back up the running config, diff it with the intended one, check the
intended file on the device, apply it as a replace, verify sessions and adjacencies,
and roll back to the backup when any of the last three steps fails. Devices run in
waves (a canary first), under a lock, and every step's text is masked of secrets. A
committed wave is verified again once all of it runs its new config; if that fails, every
device it changed goes back to its backup and the deploy stops.

The Nornir command (``communet deploy``) and the Ansible playbook
(``playbooks/deploy.yml``) drive the same per-device steps against the same inventory.
"""
