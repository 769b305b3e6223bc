// The one explicit list of source components: name, config spec, description. The project loader
// validates each `sources:` entry against the spec of its `type` (default `file`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/config_spec.h"

namespace sluice::connectors {

struct SourceComponent {
  std::string name;
  const config::ConfigSpec* spec;
};

const std::vector<SourceComponent>& SourceComponents();
// nullptr when unknown.
const SourceComponent* FindSourceComponent(std::string_view name);

}  // namespace sluice::connectors
