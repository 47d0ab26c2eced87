// `os`: the facts Lambda's Linux reports, none of them the host's.

export function createOs(memoryLimitInMB: string): Record<string, unknown> {
  const totalmem = Number(memoryLimitInMB) * 1024 * 1024;
  const cpu = { model: "Virtual CPU", speed: 2500, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  return {
    EOL: "\n",
    devNull: "/dev/null",
    platform: () => "linux",
    type: () => "Linux",
    arch: () => "x64",
    machine: () => "x86_64",
    release: () => "5.10.0",
    version: () => "#1 SMP",
    endianness: () => "LE",
    hostname: () => "localhost",
    tmpdir: () => "/tmp",
    homedir: () => "/home/sbx_user1051",
    cpus: () => [cpu, cpu].map((entry) => ({ ...entry, times: { ...entry.times } })),
    availableParallelism: () => 2,
    totalmem: () => totalmem,
    freemem: () => totalmem,
    uptime: () => Math.floor(Date.now() / 1000) % 100000,
    loadavg: () => [0, 0, 0],
    networkInterfaces: () => ({}),
    userInfo: () => ({ uid: 993, gid: 990, username: "sbx_user1051", homedir: "/home/sbx_user1051", shell: null }),
    constants: { signals: {}, errno: {}, priority: {} },
  };
}
