#include "sluice/formats/json/json_reader.h"

#include "sluice/formats/json/json_reader_impl.h"
#include "sluice/formats/json/parallel_ndjson_reader.h"

namespace sluice::formats {

Result<std::unique_ptr<JSONReader>> JSONReader::Open(std::unique_ptr<io::InputStream> input,
                                                     JSONReadOptions options,
                                                     RejectTracker* rejects) {
  if (input == nullptr) return Status::InvalidArgument("JSON reader: no input stream");
  if (rejects == nullptr) return Status::InvalidArgument("JSON reader: no reject tracker");
  if (options.common.threads > 1) {
    auto reader =
        std::make_unique<json::ParallelNDJSONReader>(std::move(input), std::move(options), rejects);
    SLUICE_RETURN_NOT_OK(reader->Init());
    return std::unique_ptr<JSONReader>(std::move(reader));
  }
  auto reader =
      std::make_unique<json::JSONReaderImpl>(std::move(input), std::move(options), rejects);
  SLUICE_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<JSONReader>(std::move(reader));
}

}  // namespace sluice::formats
