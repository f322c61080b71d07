// client/gui/i18n.cpp — the GUI's string table.
#include "client/gui/i18n.h"

#include <array>
#include <cstdlib>

namespace fieldsync::gui {
namespace {

struct Entry {
  Str id;
  const char* text[kLangCount];  // en, fr, es, pt
};

// "\u00a0" is a no-break space (French puts one before ':' and '%').
const Entry kEntries[] = {
    {Str::kNavHome, {"Home", "Accueil", "Inicio", "Início"}},
    {Str::kNavProjects, {"Projects", "Projets", "Proyectos", "Projetos"}},
    {Str::kNavReports, {"Reports", "Rapports", "Informes", "Relatórios"}},
    {Str::kNavSummary, {"Summary", "Synthèse", "Resumen", "Resumo"}},
    {Str::kNavSettings, {"Settings", "Réglages", "Ajustes", "Ajustes"}},
    {Str::kBack, {"Back", "Retour", "Atrás", "Voltar"}},
    {Str::kCancel, {"Cancel", "Annuler", "Cancelar", "Cancelar"}},
    {Str::kLoading, {"Loading…", "Chargement…", "Cargando…", "Carregando…"}},
    {Str::kSearch, {"Search", "Rechercher", "Buscar", "Pesquisar"}},
    {Str::kAny, {"All", "Tous", "Todos", "Todos"}},
    {Str::kClearFilters, {"Clear filters", "Effacer les filtres", "Quitar filtros", "Limpar filtros"}},
    {Str::kYes, {"Yes", "Oui", "Sí", "Sim"}},
    {Str::kNo, {"No", "Non", "No", "Não"}},
    {Str::kDone, {"Done", "Terminé", "Listo", "Pronto"}},
    {Str::kClear, {"Clear", "Effacer", "Borrar", "Limpar"}},
    {Str::kRetry, {"Try again", "Réessayer", "Reintentar", "Tentar de novo"}},
    {Str::kErrorPrefix, {"Error: {0}", "Erreur\u00a0: {0}", "Error: {0}", "Erro: {0}"}},
    {Str::kLabelValue, {"{0}: {1}", "{0}\u00a0: {1}", "{0}: {1}", "{0}: {1}"}},

    {Str::kWelcomeTitle, {"Welcome to fieldsync", "Bienvenue dans fieldsync", "Bienvenido a fieldsync",
                          "Bem-vindo ao fieldsync"}},
    {Str::kWelcomeBody,
     {"Connect this device to your headquarters to send your reports. You can also start "
      "offline and connect later.",
      "Connectez cet appareil à votre siège pour envoyer vos rapports. Vous pouvez aussi commencer "
      "hors ligne et le connecter plus tard.",
      "Conecte este dispositivo con su sede para enviar sus informes. También puede empezar sin "
      "conexión y conectarlo más tarde.",
      "Conecte este dispositivo à sua sede para enviar os seus relatórios. Também pode começar "
      "sem conexão e conectar depois."}},
    {Str::kServerUrl, {"Server address", "Adresse du serveur", "Dirección del servidor",
                       "Endereço do servidor"}},
    {Str::kEnrollCode, {"Enrollment code", "Code d'inscription", "Código de registro",
                        "Código de inscrição"}},
    {Str::kConnect, {"Connect", "Se connecter", "Conectar", "Conectar"}},
    {Str::kConnecting, {"Connecting…", "Connexion…", "Conectando…", "Conectando…"}},
    {Str::kWorkOffline, {"Work offline for now", "Travailler hors ligne pour l'instant",
                         "Trabajar sin conexión por ahora", "Trabalhar sem conexão por enquanto"}},
    {Str::kLanguage, {"Language", "Langue", "Idioma", "Idioma"}},
    {Str::kEnrolledAs, {"Connected as {0}", "Connecté en tant que {0}", "Conectado como {0}",
                        "Conectado como {0}"}},

    {Str::kWaitingToSend, {"{0} waiting to send", "{0} en attente d'envoi", "{0} pendientes de envío",
                           "{0} aguardando envio"}},
    {Str::kEverythingSent, {"Everything sent", "Tout est envoyé", "Todo enviado", "Tudo enviado"}},
    {Str::kLastSync, {"Last sync: {0}", "Dernière synchro\u00a0: {0}", "Última sincronización: {0}",
                      "Última sincronização: {0}"}},
    {Str::kNever, {"never", "jamais", "nunca", "nunca"}},
    {Str::kLinkNone, {"No network", "Pas de réseau", "Sin red", "Sem rede"}},
    {Str::kLinkWifi, {"Wi-Fi connected", "Wi-Fi connecté", "Wi-Fi conectado", "Wi-Fi conectado"}},
    {Str::kLinkCellular, {"Mobile network", "Réseau mobile", "Red móvil", "Rede móvel"}},
    {Str::kLinkEthernet, {"Wired network", "Réseau filaire", "Red cableada", "Rede cabeada"}},
    {Str::kLinkOther, {"Network connected", "Réseau connecté", "Red conectada", "Rede conectada"}},
    {Str::kServerReachable, {"HQ reachable", "Siège joignable", "Sede accesible", "Sede acessível"}},
    {Str::kServerUnreachable, {"HQ not reachable", "Siège injoignable", "Sede inaccesible",
                               "Sede inacessível"}},
    {Str::kRejectedByHq, {"{0} rejected by HQ", "{0} refusé(s) par le siège", "{0} rechazado(s) por la sede",
                          "{0} recusado(s) pela sede"}},
    {Str::kSyncNow, {"Sync now", "Synchroniser", "Sincronizar ahora", "Sincronizar agora"}},
    {Str::kSyncing, {"Syncing…", "Synchronisation…", "Sincronizando…", "Sincronizando…"}},
    {Str::kSyncPausedBattery,
     {"Sync paused: battery low ({0}%)", "Synchro en pause\u00a0: batterie faible ({0}\u00a0%)",
      "Sincronización en pausa: batería baja ({0}\u00a0%)", "Sincronização pausada: bateria fraca ({0}%)"}},
    {Str::kNotEnrolled, {"Not connected to HQ", "Non connecté au siège", "Sin conexión con la sede",
                         "Não conectado à sede"}},
    {Str::kConnectToHq, {"Connect to HQ", "Se connecter au siège", "Conectar con la sede", "Conectar à sede"}},
    {Str::kAutoSyncOff, {"Automatic sync is off", "Synchro automatique désactivée",
                         "Sincronización automática desactivada", "Sincronização automática desativada"}},
    {Str::kLastAttemptFailed, {"Last attempt failed: {0}", "Échec de la dernière tentative\u00a0: {0}",
                               "Falló el último intento: {0}", "A última tentativa falhou: {0}"}},
    {Str::kNewReport, {"New report", "Nouveau rapport", "Nuevo informe", "Novo relatório"}},
    {Str::kNeedsAttention, {"Needs your attention", "À traiter", "Requiere su atención",
                            "Precisa da sua atenção"}},
    {Str::kNothingNeedsAttention, {"Nothing needs your attention.", "Rien à traiter.",
                                   "Nada requiere su atención.", "Nada precisa da sua atenção."}},
    {Str::kAttReturned, {"Returned by HQ", "Renvoyé par le siège", "Devuelto por la sede",
                         "Devolvido pela sede"}},
    {Str::kAttConflict, {"Changed by HQ at the same time", "Modifié en même temps par le siège",
                         "Modificado a la vez por la sede", "Alterado ao mesmo tempo pela sede"}},
    {Str::kAttDraft, {"Draft not finalized", "Brouillon non finalisé", "Borrador sin finalizar",
                      "Rascunho não finalizado"}},
    {Str::kAttRejected, {"Rejected: {0}", "Refusé\u00a0: {0}", "Rechazado: {0}", "Recusado: {0}"}},
    {Str::kSendAgain, {"Send again", "Renvoyer", "Reenviar", "Reenviar"}},
    {Str::kPhotosWaiting, {"{0} photo(s) waiting", "{0} photo(s) en attente", "{0} foto(s) pendiente(s)",
                           "{0} foto(s) pendente(s)"}},
    {Str::kSyncedNow, {"Sync finished", "Synchro terminée", "Sincronización terminada",
                       "Sincronização concluída"}},

    {Str::kSavedOnDevice, {"{0} report(s) kept on this device", "{0} rapport(s) gardé(s) sur cet appareil",
                           "{0} informe(s) guardado(s) en este dispositivo", "{0} relatório(s) guardado(s) neste dispositivo"}},
    {Str::kJustNow, {"just now", "à l'instant", "ahora mismo", "agora mesmo"}},
    {Str::kMinutesAgo, {"{0} min ago", "il y a {0}\u00a0min", "hace {0} min", "há {0} min"}},
    {Str::kHoursAgo, {"{0} h ago", "il y a {0}\u00a0h", "hace {0} h", "há {0} h"}},
    {Str::kDaysAgo, {"{0} days ago", "il y a {0}\u00a0jours", "hace {0} días", "há {0} dias"}},

    {Str::kStatusDraft, {"Draft", "Brouillon", "Borrador", "Rascunho"}},
    {Str::kStatusFinalized, {"Finalized", "Finalisé", "Finalizado", "Finalizado"}},
    {Str::kStatusReceived, {"Received by HQ", "Reçu par le siège", "Recibido por la sede",
                            "Recebido pela sede"}},
    {Str::kStatusApproved, {"Approved", "Approuvé", "Aprobado", "Aprovado"}},
    {Str::kStatusReturned, {"Returned", "Renvoyé", "Devuelto", "Devolvido"}},
    {Str::kWaitingTag, {"waiting to send", "en attente d'envoi", "pendiente de envío", "aguardando envio"}},

    {Str::kSector, {"Sector", "Secteur", "Sector", "Setor"}},
    {Str::kCountry, {"Country", "Pays", "País", "País"}},
    {Str::kMeasure, {"Framework measure", "Mesure du Cadre", "Medida del Marco", "Medida do Quadro"}},
    {Str::kNoProjectMatches, {"No project matches.", "Aucun projet ne correspond.",
                              "Ningún proyecto coincide.", "Nenhum projeto corresponde."}},
    {Str::kProviders, {"Providers", "Pays fournisseurs", "Países proveedores", "Países provedores"}},
    {Str::kBeneficiaries, {"Beneficiaries", "Bénéficiaires", "Beneficiarios", "Beneficiários"}},
    {Str::kAgency, {"Agency", "Agence", "Agencia", "Agência"}},
    {Str::kFundingPartner, {"Funding partner", "Partenaire financier", "Socio financiador",
                            "Parceiro financiador"}},
    {Str::kModality, {"Modality", "Modalité", "Modalidad", "Modalidade"}},
    {Str::kStartReport, {"Start a report", "Commencer un rapport", "Empezar un informe",
                         "Iniciar um relatório"}},
    {Str::kProjectsCount, {"{0} projects", "{0} projets", "{0} proyectos", "{0} projetos"}},
    {Str::kChooseForm, {"Choose a form", "Choisir un formulaire", "Elegir un formulario",
                        "Escolher um formulário"}},
    {Str::kModalityBilateral, {"Bilateral", "Bilatéral", "Bilateral", "Bilateral"}},
    {Str::kModalityTriangular, {"Triangular", "Triangulaire", "Triangular", "Triangular"}},
    {Str::kModalityRegional, {"Regional", "Régional", "Regional", "Regional"}},
    {Str::kLdc, {"Least developed country", "Pays les moins avancés", "País menos adelantado",
                 "País menos desenvolvido"}},
    {Str::kLldc, {"Landlocked developing country", "Pays en développement sans littoral",
                  "País en desarrollo sin litoral", "País em desenvolvimento sem litoral"}},
    {Str::kSids, {"Small island developing State", "Petit État insulaire en développement",
                  "Pequeño Estado insular en desarrollo", "Pequeno Estado insular em desenvolvimento"}},

    {Str::kSectorHealth, {"Health", "Santé", "Salud", "Saúde"}},
    {Str::kSectorEducation, {"Education", "Éducation", "Educación", "Educação"}},
    {Str::kSectorAgriculture, {"Agriculture", "Agriculture", "Agricultura", "Agricultura"}},
    {Str::kSectorWater, {"Water", "Eau", "Agua", "Água"}},
    {Str::kSectorIct, {"ICT", "TIC", "TIC", "TIC"}},
    {Str::kSectorTrade, {"Trade", "Commerce", "Comercio", "Comércio"}},
    {Str::kSectorFinance, {"Finance", "Finances", "Finanzas", "Finanças"}},
    {Str::kSectorEnvironment, {"Environment", "Environnement", "Medio ambiente", "Meio ambiente"}},
    {Str::kSectorEnergy, {"Energy", "Énergie", "Energía", "Energia"}},
    {Str::kSectorGovernance, {"Governance", "Gouvernance", "Gobernanza", "Governança"}},

    {Str::kProject, {"Project", "Projet", "Proyecto", "Projeto"}},
    {Str::kForm, {"Form", "Formulaire", "Formulario", "Formulário"}},
    {Str::kRequiredNote, {"* required", "* obligatoire", "* obligatorio", "* obrigatório"}},
    {Str::kSaveDraft, {"Save draft", "Enregistrer", "Guardar borrador", "Salvar rascunho"}},
    {Str::kFinalize, {"Finalize", "Finaliser", "Finalizar", "Finalizar"}},
    {Str::kSavedAt, {"Saved {0}", "Enregistré {0}", "Guardado {0}", "Salvo {0}"}},
    {Str::kSaving, {"Saving…", "Enregistrement…", "Guardando…", "Salvando…"}},
    {Str::kUnsaved, {"Not saved yet", "Pas encore enregistré", "Aún sin guardar", "Ainda não salvo"}},
    {Str::kToFixBeforeFinalize, {"{0} to fix before finalizing", "{0} à corriger avant de finaliser",
                                 "{0} por corregir antes de finalizar", "{0} a corrigir antes de finalizar"}},
    {Str::kCalculated, {"calculated", "calculé", "calculado", "calculado"}},
    {Str::kAttachPhoto, {"Attach photo", "Joindre une photo", "Adjuntar foto", "Anexar foto"}},
    {Str::kPhotoFile, {"Photo file", "Fichier photo", "Archivo de foto", "Arquivo de foto"}},
    {Str::kPhotoAttached, {"Photo attached", "Photo jointe", "Foto adjunta", "Foto anexada"}},
    {Str::kPhotoNoFiles, {"No pictures in {0}", "Aucune image dans {0}", "No hay imágenes en {0}",
                          "Nenhuma imagem em {0}"}},
    {Str::kUseGps, {"Use GPS position", "Utiliser la position GPS", "Usar posición GPS",
                    "Usar posição GPS"}},
    {Str::kGpsUnavailable, {"No GPS: type the coordinates", "Pas de GPS\u00a0: saisissez les coordonnées",
                            "Sin GPS: escriba las coordenadas", "Sem GPS: digite as coordenadas"}},
    {Str::kGpsSearching, {"Searching for satellites…", "Recherche des satellites…", "Buscando satélites…",
                          "Procurando satélites…"}},
    {Str::kGpsFix, {"GPS: ±{0} m", "GPS\u00a0: ±{0}\u00a0m", "GPS: ±{0} m", "GPS: ±{0} m"}},
    {Str::kLatitude, {"Latitude", "Latitude", "Latitud", "Latitude"}},
    {Str::kLongitude, {"Longitude", "Longitude", "Longitud", "Longitude"}},
    {Str::kReadOnlyHq, {"HQ is handling this report; it cannot be edited.",
                        "Le siège traite ce rapport\u00a0; il n'est pas modifiable.",
                        "La sede está tramitando este informe; no se puede editar.",
                        "A sede está tratando este relatório; não pode ser editado."}},
    {Str::kFinalizedOk, {"Finalized. It will be sent at the next sync.",
                         "Finalisé. Il sera envoyé à la prochaine synchro.",
                         "Finalizado. Se enviará en la próxima sincronización.",
                         "Finalizado. Será enviado na próxima sincronização."}},
    {Str::kDraftSavedOk, {"Draft saved on this device.", "Brouillon enregistré sur cet appareil.",
                          "Borrador guardado en este dispositivo.", "Rascunho salvo neste dispositivo."}},
    {Str::kKeypad, {"Keypad", "Pavé numérique", "Teclado numérico", "Teclado numérico"}},
    {Str::kChooseOne, {"Choose one", "Choisir une réponse", "Elija una", "Escolha uma"}},
    {Str::kChooseMany, {"Choose any", "Choix multiples", "Elija varias", "Escolha várias"}},
    {Str::kReturnedComment, {"HQ's comment: {0}", "Commentaire du siège\u00a0: {0}",
                             "Comentario de la sede: {0}", "Comentário da sede: {0}"}},
    {Str::kEditReport, {"Edit report", "Modifier le rapport", "Editar informe", "Editar relatório"}},

    {Str::kExpectInteger, {"Enter a whole number", "Saisissez un nombre entier", "Escriba un número entero",
                            "Digite um número inteiro"}},
    {Str::kExpectDecimal, {"Enter a number (use . for decimals)", "Saisissez un nombre (point pour les décimales)",
                           "Escriba un número (punto para decimales)", "Digite um número (ponto para decimais)"}},
    {Str::kExpectDate, {"Enter a date as YYYY-MM-DD", "Saisissez une date au format AAAA-MM-JJ",
                        "Escriba una fecha como AAAA-MM-DD", "Digite uma data no formato AAAA-MM-DD"}},
    {Str::kExpectGeopoint, {"Enter latitude and longitude", "Saisissez la latitude et la longitude",
                            "Escriba la latitud y la longitud", "Digite a latitude e a longitude"}},
    {Str::kExpectValue, {"This answer is not valid", "Cette réponse n'est pas valide", "Esta respuesta no es válida",
                         "Esta resposta não é válida"}},
    {Str::kRequiredMissing, {"required", "obligatoire", "obligatorio", "obrigatório"}},
    {Str::kPhotoWillUpload, {"It will be sent after the report.", "Elle sera envoyée après le rapport.",
                             "Se enviará después del informe.", "Será enviada depois do relatório."}},
    {Str::kChooseFile, {"Choose a picture", "Choisir une image", "Elegir una imagen", "Escolher uma imagem"}},

    {Str::kStatus, {"Status", "Statut", "Estado", "Situação"}},
    {Str::kPeriod, {"Period", "Période", "Período", "Período"}},
    {Str::kReportsCount, {"{0} reports", "{0} rapports", "{0} informes", "{0} relatórios"}},
    {Str::kNoReportMatches, {"No report matches.", "Aucun rapport ne correspond.",
                             "Ningún informe coincide.", "Nenhum relatório corresponde."}},
    {Str::kSearchReportsHint, {"Search by id, project or value", "Rechercher un id, un projet, une valeur",
                               "Buscar por id, proyecto o valor", "Pesquisar por id, projeto ou valor"}},
    {Str::kFilters, {"Filters", "Filtres", "Filtros", "Filtros"}},
    {Str::kPeriodThisMonth, {"This month", "Ce mois-ci", "Este mes", "Este mês"}},
    {Str::kPeriodLastMonth, {"Last month", "Le mois dernier", "El mes pasado", "Mês passado"}},

    {Str::kValues, {"Values", "Valeurs", "Valores", "Valores"}},
    {Str::kHistory, {"History", "Historique", "Historial", "Histórico"}},
    {Str::kHqReview, {"HQ review", "Avis du siège", "Revisión de la sede", "Revisão da sede"}},
    {Str::kConflicts, {"Conflicts", "Conflits", "Conflictos", "Conflitos"}},
    {Str::kConflictExplain,
     {"HQ and this device both changed “{0}”. Kept: {1}. Not kept: {2} (still in the history).",
      "Le siège et cet appareil ont tous deux modifié «\u00a0{0}\u00a0». Gardé\u00a0: {1}. "
      "Non gardé\u00a0: {2} (conservé dans l'historique).",
      "La sede y este dispositivo cambiaron «{0}». Se conserva: {1}. Descartado: {2} (sigue en el "
      "historial).",
      "A sede e este dispositivo alteraram “{0}”. Mantido: {1}. Descartado: {2} (continua no "
      "histórico)."}},
    {Str::kNoAnswer, {"no answer", "sans réponse", "sin respuesta", "sem resposta"}},
    {Str::kGotIt, {"Understood", "Compris", "Entendido", "Entendi"}},
    {Str::kBy, {"by {0}", "par {0}", "por {0}", "por {0}"}},
    {Str::kSourceDevice, {"this device", "cet appareil", "este dispositivo", "este dispositivo"}},
    {Str::kSourceServer, {"HQ", "siège", "sede", "sede"}},
    {Str::kSourceConflict, {"conflict", "conflit", "conflicto", "conflito"}},
    {Str::kSourceReview, {"review", "examen", "revisión", "revisão"}},
    {Str::kCreated, {"Created {0}", "Créé {0}", "Creado {0}", "Criado {0}"}},
    {Str::kUpdated, {"Updated {0}", "Modifié {0}", "Modificado {0}", "Alterado {0}"}},
    {Str::kReportId, {"Report {0}", "Rapport {0}", "Informe {0}", "Relatório {0}"}},
    {Str::kNoHistory, {"No changes recorded.", "Aucune modification enregistrée.",
                       "Ningún cambio registrado.", "Nenhuma alteração registrada."}},
    {Str::kNoReview, {"HQ has not reviewed this report yet.", "Le siège n'a pas encore examiné ce rapport.",
                      "La sede aún no ha revisado este informe.", "A sede ainda não revisou este relatório."}},
    {Str::kFieldComment, {"On “{0}”: {1}", "Sur «\u00a0{0}\u00a0»\u00a0: {1}", "Sobre «{0}»: {1}",
                          "Sobre “{0}”: {1}"}},
    {Str::kStatusField, {"status", "statut", "estado", "situação"}},

    {Str::kSummaryTitle, {"Summary", "Synthèse", "Resumen", "Resumo"}},
    {Str::kReportsPerMonth, {"Reports per month", "Rapports par mois", "Informes por mes",
                             "Relatórios por mês"}},
    {Str::kKeyIndicators, {"Key indicators", "Indicateurs clés", "Indicadores clave", "Indicadores-chave"}},
    {Str::kLast12Months, {"Last 12 months", "12 derniers mois", "Últimos 12 meses", "Últimos 12 meses"}},
    {Str::kTotal, {"Total", "Total", "Total", "Total"}},
    {Str::kNoData, {"No reports in this period.", "Aucun rapport sur cette période.",
                    "No hay informes en este período.", "Nenhum relatório neste período."}},

    {Str::kTheme, {"Theme", "Thème", "Tema", "Tema"}},
    {Str::kThemeLight, {"Sunlight (high contrast)", "Plein soleil (contraste élevé)",
                        "Pleno sol (alto contraste)", "Sol forte (alto contraste)"}},
    {Str::kThemeDark, {"Dark", "Sombre", "Oscuro", "Escuro"}},
    {Str::kTextSize, {"Text size", "Taille du texte", "Tamaño del texto", "Tamanho do texto"}},
    {Str::kAutoSync, {"Sync automatically", "Synchroniser automatiquement", "Sincronizar automáticamente",
                      "Sincronizar automaticamente"}},
    {Str::kBatteryPause, {"Pause sync below this battery level", "Suspendre la synchro sous ce niveau de batterie",
                          "Pausar la sincronización bajo este nivel de batería",
                          "Pausar a sincronização abaixo deste nível de bateria"}},
    {Str::kBatteryNow, {"Battery: {0}%", "Batterie\u00a0: {0}\u00a0%", "Batería: {0}\u00a0%", "Bateria: {0}%"}},
    {Str::kNoBattery, {"No battery (mains power)", "Pas de batterie (secteur)", "Sin batería (red eléctrica)",
                       "Sem bateria (rede elétrica)"}},
    {Str::kNeverPause, {"Never pause", "Jamais", "Nunca", "Nunca"}},
    {Str::kDevice, {"Device", "Appareil", "Dispositivo", "Dispositivo"}},
    {Str::kOfficer, {"Officer", "Agent", "Agente", "Agente"}},
    {Str::kServer, {"Server", "Serveur", "Servidor", "Servidor"}},
    {Str::kDataFolder, {"Data folder", "Dossier des données", "Carpeta de datos", "Pasta de dados"}},
    {Str::kNotConnected, {"not connected", "non connecté", "sin conexión", "não conectado"}},
    {Str::kBatteryCharging, {"charging", "en charge", "cargando", "carregando"}},
};

// Lookup table indexed by Str, built once from kEntries.
struct Table {
  std::array<const Entry*, static_cast<size_t>(Str::kCount)> by_id{};
  Table() {
    for (const Entry& e : kEntries) by_id[static_cast<size_t>(e.id)] = &e;
  }
};

const Table& GetTable() {
  static const Table table;  // immutable after construction
  return table;
}

const char* const kMonths[kLangCount][12] = {
    {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
    {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
    {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"},
    {"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},
};

}  // namespace

bool ParseLang(std::string_view code, Lang* out) {
  static constexpr std::string_view kCodes[] = {"en", "fr", "es", "pt"};
  for (int i = 0; i < kLangCount; ++i) {
    if (code == kCodes[i]) {
      *out = static_cast<Lang>(i);
      return true;
    }
  }
  return false;
}

const char* LangCode(Lang lang) {
  static const char* const kCodes[] = {"en", "fr", "es", "pt"};
  return kCodes[static_cast<int>(lang)];
}

const char* LangNativeName(Lang lang) {
  static const char* const kNames[] = {"English", "Français", "Español", "Português"};
  return kNames[static_cast<int>(lang)];
}

const char* Tr(Str id, Lang lang) {
  const size_t i = static_cast<size_t>(id);
  if (i >= static_cast<size_t>(Str::kCount)) return "?";
  const Entry* e = GetTable().by_id[i];
  if (!e) return "?";  // a missing entry; tests/gui/i18n_test.cpp catches it
  const char* s = e->text[static_cast<int>(lang)];
  return (s && *s) ? s : e->text[0];
}

std::string Format(std::string_view pattern, std::initializer_list<std::string_view> args) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' && pattern[i + 1] >= '0' &&
        pattern[i + 1] <= '9') {
      size_t n = static_cast<size_t>(pattern[i + 1] - '0');
      if (n < args.size()) {
        out.append(*(args.begin() + n));
        i += 2;
        continue;
      }
    }
    out.push_back(pattern[i]);
  }
  return out;
}

const char* MonthShort(int month, Lang lang) {
  if (month < 1 || month > 12) return "?";
  return kMonths[static_cast<int>(lang)][month - 1];
}

}  // namespace fieldsync::gui
