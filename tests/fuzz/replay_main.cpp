// Replays fuzz inputs without libFuzzer: each argument is a file or a directory of files, and
// each file is passed once to LLVMFuzzerTestOneInput, which aborts on a violated invariant.
// ctest runs this over the seed corpus (test fuzz_replay) in every build, so the corpus keeps
// passing without clang. Fails when given nothing to replay, so a lost corpus cannot pass.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const fs::path& arg) {
    std::vector<fs::path> files;
    if (fs::is_directory(arg)) {
        for (const auto& e : fs::directory_iterator(arg))
            if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(arg)) {
        files.push_back(arg);
    }
    std::sort(files.begin(), files.end());
    return files;
}

void replay(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    // Named first: an aborting input is then the last line of the log.
    std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        for (const fs::path& f : inputs_of(argv[i])) {
            replay(f);
            ++count;
        }
    }
    std::fprintf(stderr, "replayed %zu inputs\n", count);
    return count > 0 ? 0 : 1;
}
