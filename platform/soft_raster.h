// platform/soft_raster.h — draws Dear ImGui's draw lists on the CPU into a
// 32-bit pixel buffer: the app's renderer on a device without a GPU.
//
// Why not SDL's software SDL_Renderer (imgui_impl_sdlrenderer.cpp): it draws
// each glyph and rectangle as a separate general blit and every other
// triangle through a generic per-pixel path — 14–18 ms a frame for the
// reports list on the CI machine, against a 4 ms budget. ImGui's geometry is
// simple enough to do much better directly:
//   - axis-aligned quads of one colour (PrimRect / PrimRectUV: backgrounds,
//     frames, glyphs — nearly every vertex ImGui emits) become row fills, or
//     alpha-mask blits from the font atlas;
//   - everything else (rounded corners, anti-aliasing fringes, check marks)
//     is rasterised as triangles, one span per row, with colour and texture
//     coordinates interpolated; the top-left rule keeps shared edges from
//     being drawn twice (no seams in fans and fringes).
// Texture sampling is nearest (the atlas is pixel-snapped at 1:1 and has no
// oversampling), alpha blending is "source over", as in ImGui's GL backend.
//
// Only one texture exists: the font atlas, kept as 8-bit alpha (a quarter of
// the RGBA copy a GPU backend keeps). Draw commands with user callbacks are
// not supported (the app has none).
//
// Thread safety: none; one instance per window, used from its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

struct ImDrawData;

namespace fieldsync::platform {

// Where to draw: `pixels` rows of `width` 32-bit pixels, `pitch` bytes
// apart; red, green and blue at the given bit shifts (alpha, if any, is
// written as 0xFF). The caller owns the memory.
struct PixelTarget {
  uint32_t* pixels = nullptr;
  int width = 0;
  int height = 0;
  int pitch = 0;  // bytes
  int r_shift = 16, g_shift = 8, b_shift = 0;
  uint32_t opaque_bits = 0;  // OR-ed into every pixel written (the alpha mask)
};

class SoftRasterizer {
 public:
  // Takes the font atlas (8-bit alpha, width × height). Call again after the
  // atlas is rebuilt.
  void SetAtlas(const unsigned char* alpha, int width, int height);
  size_t atlas_bytes() const { return atlas_.size(); }

  // Fills the target with opaque black, then draws `draw` over it.
  void Render(const ImDrawData& draw, const PixelTarget& target);

 private:
  std::vector<unsigned char> atlas_;
  int atlas_w_ = 0, atlas_h_ = 0;
};

}  // namespace fieldsync::platform
