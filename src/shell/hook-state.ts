/**
 * Whether the shell that started this pyctl has the hook loaded. The hook exports
 * PYCTL_HOOK_PID=$$ and PYCTL_HOOK_SHELL; a child shell inherits them but has another pid.
 */
export interface HookState {
  active: boolean;
  shell: string | null;
}

export function hookState(): HookState {
  const pid = Number(process.env.PYCTL_HOOK_PID);
  const active = pid > 0 && pid === process.ppid;
  return { active, shell: active ? (process.env.PYCTL_HOOK_SHELL ?? null) : null };
}
