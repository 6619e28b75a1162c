#include "tessera/kernels/cuda/nvrtc_compiler.hpp"

#include <cstring>

#include <nvrtc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "tessera/core/error.hpp"
#include "tessera/core/key.hpp"
#include "tessera/core/logging.hpp"

#ifndef TESSERA_CUDA_INCLUDE_DIRS
#error "TESSERA_CUDA_INCLUDE_DIRS must name the CUDA toolkit's include directories (kernels/CMakeLists.txt)"
#endif

namespace tessera::kernels::cuda {
namespace {

void check(nvrtcResult result, const char* call) {
  if (result != NVRTC_SUCCESS) throw Error(std::string(call) + " failed: " + nvrtcGetErrorString(result));
}

/// Owns an nvrtcProgram.
class Program {
 public:
  Program(std::string_view source, std::span<const EmbeddedHeader> headers) {
    std::vector<const char*> names, texts;
    for (const EmbeddedHeader& h : headers) {
      names.push_back(h.name);
      texts.push_back(h.text);
    }
    const std::string text(source);
    check(nvrtcCreateProgram(&program_, text.c_str(), "tessera_generated.cu", static_cast<int>(headers.size()),
                             texts.data(), names.data()),
          "nvrtcCreateProgram");
  }
  ~Program() { nvrtcDestroyProgram(&program_); }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  std::string log() const {
    std::size_t size = 0;
    if (nvrtcGetProgramLogSize(program_, &size) != NVRTC_SUCCESS || size == 0) return {};
    std::string log(size, '\0');
    nvrtcGetProgramLog(program_, log.data());
    while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
    return log;
  }

  Cubin cubin() const {
    std::size_t size = 0;
    check(nvrtcGetCUBINSize(program_, &size), "nvrtcGetCUBINSize");
    Cubin code(size);
    check(nvrtcGetCUBIN(program_, code.data()), "nvrtcGetCUBIN");
    return code;
  }

  nvrtcProgram get() const { return program_; }

 private:
  nvrtcProgram program_ = nullptr;
};

/// The toolkit's include directories (libcu++'s cuda/std headers live under cccl/):
/// $CUDA_HOME/include when set, else those this library was built with.
std::vector<std::string> include_options() {
  std::vector<std::string> dirs;
  if (const char* home = std::getenv("CUDA_HOME"); home != nullptr && *home != '\0') {
    dirs = {std::string(home) + "/include", std::string(home) + "/include/cccl"};
  } else {
    std::string list = TESSERA_CUDA_INCLUDE_DIRS;
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t end = std::min(list.find('|', start), list.size());
      if (end > start) {
        dirs.push_back(list.substr(start, end - start));
        dirs.push_back(list.substr(start, end - start) + "/cccl");
      }
      start = end + 1;
    }
  }
  std::vector<std::string> options;
  for (const std::string& d : dirs) options.push_back("-I" + d);
  return options;
}

std::vector<std::string> compile_options(int architecture) {
  std::vector<std::string> options = {
      "--gpu-architecture=sm_" + std::to_string(architecture),
      "-std=c++20",
      "-default-device",  // the ops headers' plain functions become device functions
      "-DNDEBUG",
      // No contraction of a*b + c into one rounding: the host build never contracts, and
      // the same expression (a seeded uniform draw, linspace, a fused chain) must give the
      // same bits on either device.
      "--fmad=false",
  };
  for (std::string& i : include_options()) options.push_back(std::move(i));
  return options;
}

Cubin compile_with_nvrtc(std::string_view source, const std::vector<std::string>& options) {
  Program program(source, embedded_headers());
  std::vector<const char*> argv;
  for (const std::string& o : options) argv.push_back(o.c_str());
  const nvrtcResult result = nvrtcCompileProgram(program.get(), static_cast<int>(argv.size()), argv.data());
  if (result != NVRTC_SUCCESS) {
    // A header it cannot open means the toolkit is not where this build found it.
    std::string searched;
    for (const std::string& o : options) {
      if (o.starts_with("-I")) searched.append(" ").append(o, 2);  // appended: GCC 12 warns falsely on " " + ...
    }
    throw Error(std::string("NVRTC could not compile a generated kernel (") + nvrtcGetErrorString(result) + "):\n" +
                program.log() + "\n(CUDA headers searched in:" + searched + "; set CUDA_HOME to the toolkit's root)");
  }
  return program.cubin();
}

std::optional<Cubin> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  Cubin code((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return std::nullopt;
  if (!is_whole_cubin(code)) {
    TESSERA_LOG(info) << "kernel cache: " << path.string() << " is cut short; compiling again";
    in.close();
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return std::nullopt;
  }
  return code;
}

/// Writes through a temporary file and a rename, so that concurrent processes never read
/// half a cubin. A cache that cannot be written is only logged: compiling again is correct.
void write_file(const std::filesystem::path& path, const Cubin& code) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp" + std::to_string(Key::unique().id);
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(code.data(), static_cast<std::streamsize>(code.size()));
    out.close();  // flushed before it is checked: a full disk shows here, not as a short file
    if (!out) {
      TESSERA_LOG(info) << "kernel cache: cannot write " << tmp.string();
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    TESSERA_LOG(info) << "kernel cache: cannot rename " << tmp.string() << ": " << ec.message();
    std::filesystem::remove(tmp, ec);
  }
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<const Cubin>> memory;
  std::atomic<std::size_t> compiled{0}, memory_hits{0}, disk_hits{0};
};

Cache& cache() {
  static Cache c;
  return c;
}

}  // namespace

int nvrtc_version() {
  int major = 0, minor = 0;
  check(nvrtcVersion(&major, &minor), "nvrtcVersion");
  return major * 1000 + minor * 10;
}

std::filesystem::path default_kernel_cache_directory() {
  if (const char* dir = std::getenv("TESSERA_KERNEL_CACHE"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "tessera" / "kernels";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "tessera" / "kernels";
  }
  return {};
}

std::shared_ptr<const Cubin> compile_cuda(std::string_view source, const NvrtcOptions& options) {
  const std::vector<std::string> flags = compile_options(options.architecture);
  // The key covers everything the cubin depends on: the source, the options (the
  // architecture among them), the compiler's version and the embedded headers.
  // The headers and the compiler's version are fixed for the process: hashed once, not
  // on every launch's lookup.
  static const std::string fixed = [] {
    std::string headers;
    for (const EmbeddedHeader& h : embedded_headers()) headers += std::string("\n// ") + h.name + "\n" + h.text;
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(Key::from_name(headers).id));
    return "\n// nvrtc " + std::to_string(nvrtc_version()) + " headers " + hash;
  }();
  std::string identity(source);
  identity += fixed;
  for (const std::string& f : flags) identity += "\n// " + f;
  const std::uint64_t key = Key::from_name(identity).id;

  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    if (auto it = c.memory.find(key); it != c.memory.end()) {
      ++c.memory_hits;
      return it->second;
    }
  }
  std::filesystem::path file;
  if (!options.cache_directory.empty()) {
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.cubin", static_cast<unsigned long long>(key));
    file = options.cache_directory / name;
  }
  std::shared_ptr<const Cubin> code;
  if (!file.empty()) {
    if (auto from_disk = read_file(file)) {
      ++c.disk_hits;
      code = std::make_shared<const Cubin>(std::move(*from_disk));
    }
  }
  if (!code) {
    // Compiled outside the lock: NVRTC takes about a second, and other kernels may be
    // wanted meanwhile. Two threads asking for one new kernel both compile it, once.
    code = std::make_shared<const Cubin>(compile_with_nvrtc(source, flags));
    ++c.compiled;
    if (!file.empty()) write_file(file, *code);
  }
  std::lock_guard lock(c.mutex);
  return c.memory.emplace(key, std::move(code)).first->second;
}

namespace {

template <class T>
T read_at(const Cubin& code, std::uint64_t offset) noexcept {
  T value{};
  std::memcpy(&value, code.data() + offset, sizeof value);
  return value;
}

}  // namespace

bool is_whole_cubin(const Cubin& code) noexcept {
  // ELF64, little-endian (every host CUDA runs on). Whole when the section and program
  // header tables, and every section and segment with bytes in the file, end within it.
  constexpr std::uint64_t kHeaderBytes = 64;
  const std::uint64_t size = code.size();
  if (size < kHeaderBytes || std::memcmp(code.data(), "\x7f" "ELF", 4) != 0 || code[4] != 2) return false;
  const auto within = [&](std::uint64_t offset, std::uint64_t bytes) { return offset <= size && bytes <= size - offset; };
  const auto sections = read_at<std::uint64_t>(code, 0x28);
  const auto section_bytes = read_at<std::uint16_t>(code, 0x3A), section_count = read_at<std::uint16_t>(code, 0x3C);
  const auto segments = read_at<std::uint64_t>(code, 0x20);
  const auto segment_bytes = read_at<std::uint16_t>(code, 0x36), segment_count = read_at<std::uint16_t>(code, 0x38);
  if (!within(sections, std::uint64_t{section_bytes} * section_count) ||
      !within(segments, std::uint64_t{segment_bytes} * segment_count)) {
    return false;
  }
  constexpr std::uint32_t kNoBits = 8;  // SHT_NOBITS: a section without bytes in the file
  for (std::uint64_t i = 0; i < section_count && section_bytes >= 0x28; ++i) {
    const std::uint64_t at = sections + i * section_bytes;
    if (read_at<std::uint32_t>(code, at + 4) == kNoBits) continue;
    if (!within(read_at<std::uint64_t>(code, at + 0x18), read_at<std::uint64_t>(code, at + 0x20))) return false;
  }
  for (std::uint64_t i = 0; i < segment_count && segment_bytes >= 0x28; ++i) {
    const std::uint64_t at = segments + i * segment_bytes;
    if (!within(read_at<std::uint64_t>(code, at + 8), read_at<std::uint64_t>(code, at + 0x20))) return false;
  }
  return true;
}

CompileStats compile_stats() {
  const Cache& c = cache();
  return CompileStats{c.compiled.load(), c.memory_hits.load(), c.disk_hits.load()};
}

}  // namespace tessera::kernels::cuda
