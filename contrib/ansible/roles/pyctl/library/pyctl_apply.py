#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""Ansible module: make the running user's pyctl venv match a file, with `pyctl apply`."""

DOCUMENTATION = r"""
module: pyctl_apply
short_description: Apply a requirements file or PEP 751 pylock.toml to the user's pyctl venv
description:
  - Writes C(content) to a temporary file named C(name) and runs
    C(pyctl apply FILE --json --detailed-exitcodes), adding C(--check) in check mode,
    C(--diff) in diff mode and C(--prune) when asked.
  - changed is pyctl's exit code 2; exit 1 fails the task with pyctl's stable error code
    in the message (the list is in pyctl's README); the venv is then as it was.
  - Run it as the user whose venv it is (become_user).
options:
  pyctl: {description: Path of the pyctl binary., type: path, default: pyctl}
  content: {description: The file's text., type: str, required: true}
  name: {description: "The file's name: pylock.toml or pylock.NAME.toml reads it as a lock.", type: str, default: requirements.txt}
  prune: {description: Remove what the file does not name or need., type: bool, default: false}
  python: {description: "The Python version (X.Y) whose venv to change.", type: str}
"""

import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pyctl=dict(type="path", default="pyctl"),
            content=dict(type="str", required=True),
            name=dict(type="str", default="requirements.txt"),
            prune=dict(type="bool", default=False),
            python=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    folder = tempfile.mkdtemp(prefix="pyctl-apply-")
    try:
        path = os.path.join(folder, os.path.basename(p["name"]) or "requirements.txt")
        with open(path, "w") as f:
            f.write(p["content"] if p["content"].endswith("\n") else p["content"] + "\n")
        argv = [p["pyctl"], "apply", path, "--json", "--detailed-exitcodes"]
        argv += ["--check"] if module.check_mode else []
        argv += ["--diff"] if module._diff else []
        argv += ["--prune"] if p["prune"] else []
        argv += ["--python", p["python"]] if p["python"] else []
        rc, out, err = module.run_command(argv)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        result = json.loads(out)
    except ValueError:
        module.fail_json(msg="pyctl apply printed no result: %s" % (err.strip() or out.strip()), rc=rc, cmd=argv)
    errors = result.get("errors") or []
    if rc not in (0, 2) or errors:
        first = errors[0] if errors else {"code": "failed", "message": err.strip()}
        module.fail_json(msg="pyctl apply failed [%s]: %s" % (first["code"], first["message"]),
                         error_code=first["code"], errors=errors, rc=rc, stderr=err, pyctl=result)
    extra = {}
    if module._diff and "diff" in result:
        before, after = result["diff"]["before"], result["diff"]["after"]
        extra["diff"] = {
            "before": "".join(line + "\n" for line in before),
            "after": "".join(line + "\n" for line in after),
            "before_header": "venv before", "after_header": "venv after",
        }
    # Not "rc": Ansible fails any result whose rc is not 0, and 2 here means changed.
    module.exit_json(changed=rc == 2, exit_code=rc, stderr=err, pyctl=result, **extra)


if __name__ == "__main__":
    main()
