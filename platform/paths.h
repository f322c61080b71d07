// platform/paths.h — where a device keeps its data and finds its fonts.
//
// Pure functions over the environment and the file system; no state.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace fieldsync::platform {

// The device's default data folder, first of:
//   $FIELDSYNC_DATA, $XDG_DATA_HOME/fieldsync, $HOME/.local/share/fieldsync,
//   ./fieldsync-data.
// The folder is not created here (Store::Open creates it).
std::filesystem::path DefaultDataDir();

// A font file with every glyph the UI languages (en, fr, es, pt) need: Latin,
// Latin-1 Supplement and Latin Extended-A. Returns the first existing file of
// $FIELDSYNC_FONT, Noto Sans (Debian fonts-noto-core), DejaVu Sans
// (fonts-dejavu-core); empty when none exists (the caller falls back to the
// toolkit's built-in font, which lacks some accented capitals).
std::filesystem::path FindUiFont(bool bold = false);

// The candidate font files FindUiFont looks at, in order (for messages).
std::vector<std::filesystem::path> UiFontCandidates(bool bold = false);

}  // namespace fieldsync::platform
