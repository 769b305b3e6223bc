// The one explicit list of source components: name, config spec and constructor. The project
// loader validates each `sources:` entry against the spec of its `type` (default `file`) and
// builds the source with the component's constructor; `sluice components` and docs/components
// list the same entries.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

// A source from its validated `sources:` entry; nullptr when a value is wrong (added to `errors`
// with its mark). `project_dir` resolves relative paths.
using MakeSourceFunction = std::unique_ptr<Source> (*)(const std::string& name,
                                                       const config::ConfigNode& node,
                                                       const std::string& project_dir,
                                                       config::ConfigErrors* errors);

struct SourceComponent {
  std::string name;
  const config::ConfigSpec* spec;
  MakeSourceFunction make;
  // The key naming the bronze table written ("table" for files; "into" where `table` names the
  // table read).
  std::string bronze_table_key;
};

const std::vector<SourceComponent>& SourceComponents();
// nullptr when unknown.
const SourceComponent* FindSourceComponent(std::string_view name);
// The component names, for messages ("file, postgres").
std::string SourceComponentNames();

}  // namespace sluice::connectors
