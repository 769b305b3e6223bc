// Reads YAML (libyaml) into a ConfigNode tree, with ${ENV} interpolation.
//
// Accepted: one document of maps, sequences and scalars (block or flow style, comments). Refused
// with an error naming file:line:column: syntax errors, duplicate map keys, non-scalar map keys,
// anchors/aliases and tags (a project file should read the same to people and to sluice), more
// than one document, nesting deeper than 64 levels, and files over 16 MiB.
//
// Interpolation, in every scalar value (not in keys):
//   ${NAME}          the variable's value; an unset variable is an error naming it and the line
//   ${NAME:-default} the default when the variable is unset or empty
//   $${              a literal "${"
// Interpolated text is never parsed as YAML: "${A}" where A='x: 1' is the string "x: 1".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/result.h"
#include "sluice/config/config_node.h"

namespace sluice::config {

// Looks up an environment variable; nullopt when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvironmentLookup ProcessEnvironment();

struct YamlLoadOptions {
  EnvironmentLookup environment = ProcessEnvironment();
  // Called with the name and value of each variable interpolated (e.g. to register secrets with
  // a Redactor). May be empty.
  std::function<void(const std::string& name, const std::string& value)> on_interpolated;
};

// Parses `text`; `file_name` is used in marks and messages. Errors: InvalidArgument whose message
// starts with "file:line:column: ".
Result<ConfigNode> ParseYaml(std::string_view text, const std::string& file_name,
                             const YamlLoadOptions& options = {});

// Reads and parses the file at `path` (marks use `path` as given). Errors: NotFound, IOError,
// InvalidArgument as above.
Result<ConfigNode> LoadYamlFile(const std::string& path, const YamlLoadOptions& options = {});

}  // namespace sluice::config
