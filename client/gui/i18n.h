// client/gui/i18n.h — every string the GUI shows, in en, fr, es and pt.
//
// Strings are named by Str; Tr() returns the text in a language, never null
// and never empty. Placeholders are {0}, {1}, ... filled by Format(). French
// text uses a no-break space before ':' and '%' as French typography wants.
// Form labels come from the form definitions, not from here.
//
// Pure data; thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace fieldsync::gui {

enum class Lang { kEn = 0, kFr, kEs, kPt };
inline constexpr int kLangCount = 4;
// "en" → kEn ...; false for anything else.
bool ParseLang(std::string_view code, Lang* out);
const char* LangCode(Lang lang);
// The language's own name ("Français"), as a language menu shows it.
const char* LangNativeName(Lang lang);

enum class Str {
  // navigation and common words
  kNavHome, kNavProjects, kNavReports, kNavSummary, kNavSettings,
  kBack, kCancel, kLoading, kSearch, kAny, kClearFilters, kYes, kNo, kDone, kClear, kRetry,
  kErrorPrefix, kLabelValue,
  // first run
  kWelcomeTitle, kWelcomeBody, kServerUrl, kEnrollCode, kConnect, kConnecting,
  kWorkOffline, kLanguage, kEnrolledAs,
  // home and the sync badge
  kWaitingToSend, kEverythingSent, kLastSync, kNever, kLinkNone, kLinkWifi, kLinkCellular,
  kLinkEthernet, kLinkOther, kServerReachable, kServerUnreachable, kRejectedByHq, kSyncNow,
  kSyncing, kSyncPausedBattery, kNotEnrolled, kConnectToHq, kAutoSyncOff, kLastAttemptFailed,
  kNewReport, kNeedsAttention, kNothingNeedsAttention, kAttReturned, kAttConflict, kAttDraft,
  kAttRejected, kSendAgain, kPhotosWaiting, kSyncedNow, kSavedOnDevice,
  // relative times
  kJustNow, kMinutesAgo, kHoursAgo, kDaysAgo,
  // report statuses
  kStatusDraft, kStatusFinalized, kStatusReceived, kStatusApproved, kStatusReturned,
  kWaitingTag,
  // projects
  kSector, kCountry, kMeasure, kNoProjectMatches, kProviders, kBeneficiaries, kAgency,
  kFundingPartner, kModality, kStartReport, kProjectsCount, kChooseForm,
  kModalityBilateral, kModalityTriangular, kModalityRegional, kLdc, kLldc, kSids,
  // sectors
  kSectorHealth, kSectorEducation, kSectorAgriculture, kSectorWater, kSectorIct,
  kSectorTrade, kSectorFinance, kSectorEnvironment, kSectorEnergy, kSectorGovernance,
  // report editor
  kProject, kForm, kRequiredNote, kSaveDraft, kFinalize, kSavedAt, kSaving, kUnsaved,
  kToFixBeforeFinalize, kCalculated, kAttachPhoto, kPhotoFile, kPhotoAttached,
  kPhotoNoFiles, kUseGps, kGpsUnavailable, kGpsSearching, kGpsFix, kLatitude, kLongitude,
  kReadOnlyHq, kFinalizedOk, kDraftSavedOk, kKeypad, kChooseOne, kChooseMany,
  kReturnedComment, kEditReport, kExpectInteger, kExpectDecimal, kExpectDate, kExpectGeopoint,
  kExpectValue, kRequiredMissing, kPhotoWillUpload, kChooseFile,
  // reports list
  kStatus, kPeriod, kReportsCount, kNoReportMatches, kSearchReportsHint, kFilters,
  kPeriodThisMonth, kPeriodLastMonth,
  // report detail
  kValues, kHistory, kHqReview, kConflicts, kConflictExplain, kNoAnswer, kGotIt,
  kBy, kSourceDevice, kSourceServer, kSourceConflict, kSourceReview, kCreated, kUpdated,
  kReportId, kNoHistory, kNoReview, kFieldComment, kStatusField,
  // summary
  kSummaryTitle, kReportsPerMonth, kKeyIndicators, kLast12Months, kTotal, kNoData,
  // settings
  kTheme, kThemeLight, kThemeDark, kTextSize, kAutoSync, kBatteryPause, kBatteryNow,
  kNoBattery, kNeverPause, kDevice, kOfficer, kServer, kDataFolder, kNotConnected,
  kBatteryCharging,
  kCount
};

const char* Tr(Str id, Lang lang);

// Replaces {0}, {1}, ... in `pattern` with `args` in order. Unknown
// placeholders are left as they are.
std::string Format(std::string_view pattern, std::initializer_list<std::string_view> args);

// Short month name, month 1..12 ("Mar", "mars", "mar", "mar").
const char* MonthShort(int month, Lang lang);

}  // namespace fieldsync::gui
