// tests/gui/soft_raster_test.cpp — the CPU rasteriser (platform/soft_raster.h)
// on draw lists made by ImGui itself, without a window: which pixels a
// rectangle covers, triangles sharing an edge drawn once (no seams, no
// doubles), clipping, glyphs, and the colour layouts of an SDL window image.
#include "platform/soft_raster.h"

#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

using fieldsync::platform::PixelTarget;
using fieldsync::platform::SoftRasterizer;

namespace {

constexpr int kSize = 64;

// One ImGui frame of kSize × kSize whose foreground draw list `draw` fills,
// rasterised into 0x00RRGGBB pixels (or the layout given).
struct Canvas {
  std::vector<uint32_t> pixels = std::vector<uint32_t>(kSize * kSize);
  int r_shift = 16, g_shift = 8, b_shift = 0;

  void Paint(const std::function<void(ImDrawList*)>& draw, bool anti_aliased = true) {
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(kSize, kSize);
    io.DeltaTime = 1.0f / 60;
    io.Fonts->AddFontDefault();
    unsigned char* alpha = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsAlpha8(&alpha, &w, &h);
    SoftRasterizer raster;
    raster.SetAtlas(alpha, w, h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
    ImGui::GetStyle().AntiAliasedFill = anti_aliased;
    ImGui::GetStyle().AntiAliasedLines = anti_aliased;
    ImGui::NewFrame();
    draw(ImGui::GetForegroundDrawList());
    ImGui::Render();
    PixelTarget t;
    t.pixels = pixels.data();
    t.width = t.height = kSize;
    t.pitch = kSize * 4;
    t.r_shift = r_shift;
    t.g_shift = g_shift;
    t.b_shift = b_shift;
    raster.Render(*ImGui::GetDrawData(), t);
    ImGui::DestroyContext(ctx);
  }
  uint32_t At(int x, int y) const { return pixels[static_cast<size_t>(y) * kSize + x]; }
  int Red(int x, int y) const { return static_cast<int>((At(x, y) >> r_shift) & 0xFF); }
  int Green(int x, int y) const { return static_cast<int>((At(x, y) >> g_shift) & 0xFF); }
  int Blue(int x, int y) const { return static_cast<int>((At(x, y) >> b_shift) & 0xFF); }
};

}  // namespace

TEST_CASE(
    "soft raster: a filled rectangle covers the pixels whose centres it holds, and no others") {
  Canvas c;
  c.Paint([](ImDrawList* dl) {
    dl->AddRectFilled(ImVec2(10, 10), ImVec2(20, 15), IM_COL32(255, 0, 0, 255));
  });
  int red = 0;
  for (int y = 0; y < kSize; ++y) {
    for (int x = 0; x < kSize; ++x) {
      const bool inside = x >= 10 && x < 20 && y >= 10 && y < 15;
      if (inside) {
        CHECK(c.At(x, y) == 0xFF0000u);
        ++red;
      } else if (c.At(x, y) != 0) {
        FAIL_CHECK("pixel " << x << "," << y << " outside the rectangle is drawn");
      }
    }
  }
  CHECK(red == 50);
}

TEST_CASE(
    "soft raster: triangles sharing an edge cover each pixel once (translucent, no seam, no "
    "double)") {
  // A square split along its diagonal, whose line passes exactly through
  // pixel centres; and a translucent hexagon ImGui fills as a fan.
  Canvas c;
  c.Paint(
      [](ImDrawList* dl) {
        const ImU32 half = IM_COL32(255, 255, 255, 128);
        dl->AddTriangleFilled(ImVec2(10, 10), ImVec2(30, 10), ImVec2(30, 30), half);
        dl->AddTriangleFilled(ImVec2(10, 10), ImVec2(30, 30), ImVec2(10, 30), half);
        std::vector<ImVec2> hexagon;
        for (int i = 0; i < 6; ++i) {
          const float a = 3.14159265f * static_cast<float>(i) / 3.0f + 0.1f;
          hexagon.emplace_back(48.3f + 12.7f * std::cos(a), 48.1f + 12.9f * std::sin(a));
        }
        dl->AddConvexPolyFilled(hexagon.data(), static_cast<int>(hexagon.size()), half);
      },
      /*anti_aliased=*/false);
  for (int y = 10; y < 30; ++y) {
    for (int x = 10; x < 30; ++x) {
      INFO(x << "," << y);
      CHECK(c.Red(x, y) == 128);
    }
  }
  CHECK(c.At(9, 20) == 0);
  CHECK(c.At(30, 20) == 0);
  int covered = 0;
  for (int y = 32; y < kSize; ++y) {
    for (int x = 32; x < kSize; ++x) {
      if (c.At(x, y) == 0) continue;
      INFO(x << "," << y);
      CHECK(c.Red(x, y) == 128);  // 255 would be two triangles over one pixel
      ++covered;
    }
  }
  // The hexagon's area is 3√3/2 · r² ≈ 420 px for r ≈ 12.8.
  CHECK(covered > 380);
  CHECK(covered < 460);
  // Its middle has no hole.
  for (int y = 42; y < 54; ++y) {
    for (int x = 42; x < 54; ++x) CHECK(c.Red(x, y) == 128);
  }
}

TEST_CASE("soft raster: anti-aliased rounded corners fade at the edge and stay solid inside") {
  Canvas c;
  c.Paint([](ImDrawList* dl) {
    dl->AddRectFilled(ImVec2(8, 8), ImVec2(56, 40), IM_COL32(0, 200, 0, 255), 10.0f);
  });
  for (int y = 12; y < 36; ++y) {
    for (int x = 12; x < 52; ++x) CHECK(c.At(x, y) == 0x00C800u);
  }
  CHECK(c.At(8, 8) == 0);     // the corner is cut
  CHECK(c.Green(8, 24) > 0);  // the straight side is drawn...
  CHECK(c.At(6, 24) == 0);    // ...and nothing beyond its fringe
  int partial = 0;            // on the curve: pixels partly covered
  for (int y = 8; y < 14; ++y) {
    for (int x = 8; x < 14; ++x) partial += c.Green(x, y) > 0 && c.Green(x, y) < 200 ? 1 : 0;
  }
  CHECK(partial >= 3);
}

TEST_CASE("soft raster: clip rectangles cut what is drawn") {
  Canvas c;
  c.Paint([](ImDrawList* dl) {
    dl->PushClipRect(ImVec2(0, 0), ImVec2(15, kSize));
    dl->AddRectFilled(ImVec2(0, 0), ImVec2(kSize, kSize), IM_COL32(0, 0, 255, 255));
    dl->PopClipRect();
  });
  CHECK(c.At(14, 30) == 0x0000FFu);
  CHECK(c.At(15, 30) == 0);
  CHECK(c.At(63, 63) == 0);
}

TEST_CASE(
    "soft raster: text draws glyphs from the atlas in the text colour, in either colour layout") {
  for (int layout = 0; layout < 2; ++layout) {
    Canvas c;
    if (layout == 1) std::swap(c.r_shift, c.b_shift);  // XBGR instead of XRGB
    c.Paint([](ImDrawList* dl) { dl->AddText(ImVec2(4, 4), IM_COL32(255, 128, 0, 255), "Hg"); });
    int lit = 0, full = 0;
    for (int y = 0; y < kSize; ++y) {
      for (int x = 0; x < kSize; ++x) {
        if (c.At(x, y) == 0) continue;
        ++lit;
        CHECK(c.Blue(x, y) == 0);
        CHECK(c.Red(x, y) >= c.Green(x, y));  // orange, in whichever layout
        if (c.Red(x, y) == 255) ++full;
        CHECK(x >= 4);
        CHECK(y >= 4);
        CHECK(x < 4 + 20);
        CHECK(y < 4 + 16);
      }
    }
    INFO("layout " << layout);
    CHECK(lit > 20);
    CHECK(full > 10);
  }
}
