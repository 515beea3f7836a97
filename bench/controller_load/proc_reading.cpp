#include "proc_reading.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace netprobe::bench {

ProcReading read_proc(int pid) {
  ProcReading reading;
  const std::string base = "/proc/" + std::to_string(pid);
  {
    std::ifstream file(base + "/stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) throw std::runtime_error("cannot read " + base + "/stat (has the controller exited?)");
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> field;
    for (std::string word; fields >> word;) field.push_back(word);
    // Field 3 (state) is field[0]: utime (14) and stime (15) are field[11] and field[12].
    if (field.size() < 13) throw std::runtime_error("unexpected " + base + "/stat");
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    reading.cpu_s = (std::stod(field[11]) + std::stod(field[12])) / ticks;
  }
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(base + "/task", error)) {
    std::ifstream file(task.path() / "schedstat");
    std::uint64_t ns = 0;
    if (file >> ns) reading.cpu_ns += ns;
  }
  std::ifstream status(base + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) reading.hwm_kib = std::stol(line.substr(6));
    if (line.starts_with("VmRSS:")) reading.rss_kib = std::stol(line.substr(6));
  }
  return reading;
}

}  // namespace netprobe::bench
