// Preloaded (node --import) into a CLI process the benchmark times as a whole: prints the process's
// CPU time (user + system of all its threads, counted from process start) on stderr as it exits.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nbench-cpu-us ${user + system}\n`);
});
