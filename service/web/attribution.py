"""The attribution lines the data's licences require on every page (the README's Attribution section;
a test keeps the two in sync)."""

from __future__ import annotations

__all__ = ["ATTRIBUTION"]

ATTRIBUTION: tuple[str, ...] = (
    'Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis-Informationssystem GV-ISys (GV100AD Stand 30.11.2023; Gemeindeverzeichnis-Auszug 31.03.2023); WZ 2008.',
    '© GeoBasis-DE / BKG 2021 (Daten verändert)',
    "© European Union — Eurostat RAMON NACE Rev. 2 and the EDIH catalogue export of the European Commission's EDIH network website.",
    'Quelle: Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland, Tabelle 52111-01-02-4 (Unternehmensregister-System, Berichtsjahr 2021, Stand 11.05.2023); Datenlizenz Deutschland – Namensnennung – Version 2.0 (www.govdata.de/dl-de/by-2-0); Daten verändert.',
    '© Statistik der Bundesagentur für Arbeit',
    'Quelle: Deutschlandatlas (BMWSB/BBSR; Daten hrsg. vom Statistischen Bundesamt im Auftrag des BMWSB), Daten zum Deutschlandatlas, Stand 12.12.2024; Datenbasis: Laufende Raumbeobachtung des BBSR, Regionaldatenbank der Statistischen Ämter des Bundes und der Länder (Bevölkerungsfortschreibung, Realsteuervergleich), Arbeitskreis VGR der Länder, Breitbandatlas | Gigabit-Grundbuch, Breitbandatlas des Bundes (Stand Januar 2024).',
    'Breitbandatlas | Gigabit-Grundbuch (https://gigabitgrundbuch.bund.de)',
    '© BBSR Bonn — INKAR 2024, Referenz Gemeinden, Kreise, NUTS (Gebietsstand 31.12.2019)',
)
