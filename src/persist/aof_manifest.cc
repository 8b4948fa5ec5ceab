#include "persist/aof_manifest.h"

#include <fmt/format.h>

#include <cstdlib>

#include "common/split_args.h"
#include "common/strings.h"

namespace cachet::persist {
namespace {

// Valkey's line limit: a longer line is an error, not something to guess about.
constexpr size_t kMaxLine = 1024;

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_plain_name(std::string_view name) {
  for (char c : name) {
    if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c > '~') return false;
  }
  return !name.empty();
}

void append_line(std::string& out, const AofFileInfo& f) {
  std::string name = is_plain_name(f.name) ? f.name : quote_arg(f.name);
  out += fmt::format("file {} seq {} type {}\n", name, f.seq, static_cast<char>(f.type));
}

}  // namespace

bool AofManifest::parse(std::string_view text, AofManifest* out, std::string* error) {
  *out = AofManifest();
  if (text.empty()) {
    *error = "Found an empty AOF manifest";
    return false;
  }
  int64_t max_incr_seq = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line[0] == '#') continue;
    if (end == std::string_view::npos || line.size() > kMaxLine) {
      *error = "The AOF manifest file contains too long line";
      return false;
    }
    std::vector<std::string> args;
    if (!split_args(trim_blanks(line), &args) || args.size() < 6 || args.size() % 2 != 0) {
      *error = "Invalid AOF manifest file format";
      return false;
    }
    AofFileInfo info;
    char type = 0;
    // Pairs in any order; unknown keys are skipped, for files written by newer versions.
    for (size_t i = 0; i < args.size(); i += 2) {
      if (iequals(args[i], "file")) {
        info.name = args[i + 1];
        if (info.name.find('/') != std::string::npos) {
          *error = "File can't be a path, just a filename";
          return false;
        }
      } else if (iequals(args[i], "seq")) {
        info.seq = std::atoll(args[i + 1].c_str());
      } else if (iequals(args[i], "type")) {
        type = args[i + 1].empty() ? 0 : args[i + 1][0];
      }
    }
    if (info.name.empty() || info.seq == 0 || type == 0) {
      *error = "Invalid AOF manifest file format";
      return false;
    }
    switch (type) {
      case 'b':
        if (out->base_) {
          *error = "Found duplicate base file information";
          return false;
        }
        info.type = AofFileType::kBase;
        out->base_seq_ = info.seq;
        out->base_ = std::move(info);
        break;
      case 'h':
        info.type = AofFileType::kHistory;
        out->history_.push_back(std::move(info));
        break;
      case 'i':
        if (info.seq <= max_incr_seq) {
          *error = "Found a non-monotonic sequence number";
          return false;
        }
        max_incr_seq = info.seq;
        out->incr_seq_ = info.seq;
        info.type = AofFileType::kIncr;
        out->incr_.push_back(std::move(info));
        break;
      default:
        *error = "Unknown AOF file type";
        return false;
    }
  }
  return true;
}

std::string AofManifest::to_string() const {
  std::string out;
  if (base_) append_line(out, *base_);
  for (const AofFileInfo& f : history_) append_line(out, f);
  for (const AofFileInfo& f : incr_) append_line(out, f);
  return out;
}

const AofFileInfo& AofManifest::new_base(std::string_view prefix, bool rdb_preamble) {
  if (base_) {
    base_->type = AofFileType::kHistory;
    history_.insert(history_.begin(), std::move(*base_));
  }
  ++base_seq_;
  base_ = AofFileInfo{fmt::format("{}.{}.base.{}", prefix, base_seq_, rdb_preamble ? "rdb" : "aof"),
                      base_seq_, AofFileType::kBase};
  return *base_;
}

const AofFileInfo& AofManifest::new_incr(std::string_view prefix) {
  ++incr_seq_;
  incr_.push_back(
      AofFileInfo{fmt::format("{}.{}.incr.aof", prefix, incr_seq_), incr_seq_, AofFileType::kIncr});
  return incr_.back();
}

void AofManifest::retire_incr_but_last() {
  if (incr_.size() <= 1) return;
  // Newest history first, as Valkey lists it: the retired incr files go in front of the base
  // new_base() just retired, in their own order.
  for (auto it = incr_.end() - 1; it != incr_.begin();) {
    --it;
    it->type = AofFileType::kHistory;
    history_.insert(history_.begin(), std::move(*it));
  }
  incr_.erase(incr_.begin(), incr_.end() - 1);
}

void AofManifest::retire_all_incr() {
  for (auto it = incr_.end(); it != incr_.begin();) {
    --it;
    it->type = AofFileType::kHistory;
    history_.insert(history_.begin(), std::move(*it));
  }
  incr_.clear();
}

void AofManifest::adopt_base(std::string_view name) {
  base_seq_ = 1;
  base_ = AofFileInfo{std::string(name), 1, AofFileType::kBase};
}

}  // namespace cachet::persist
