#include "sluice/connectors/source_registry.h"

#include "sluice/connectors/file/file_source.h"
#include "sluice/connectors/mysql/mysql_source.h"
#include "sluice/connectors/postgres/postgres_source.h"

namespace sluice::connectors {

const std::vector<SourceComponent>& SourceComponents() {
  static const std::vector<SourceComponent> components = {
      {"file", &FileSourceSpec(), &MakeFileSource, "table"},
      {"postgres", &PostgresSourceSpec(), &MakePostgresSource, "into"},
      {"mysql", &MysqlSourceSpec(), &MakeMysqlSource, "into"},
  };
  return components;
}

const SourceComponent* FindSourceComponent(std::string_view name) {
  for (const SourceComponent& component : SourceComponents()) {
    if (component.name == name) return &component;
  }
  return nullptr;
}

std::string SourceComponentNames() {
  std::string names;
  for (const SourceComponent& component : SourceComponents()) {
    if (!names.empty()) names += ", ";
    names += component.name;
  }
  return names;
}

}  // namespace sluice::connectors
