# ruff: noqa: E501
# (the curated tables below keep one record per line, whatever its length)
"""Build the actor knowledge base from the Phoenix/PETRARCH dictionaries.

    python -m newsmon.nlp.build_actor_kb [--shared PATH] [--out DIR]

The Phoenix dictionaries (MIT, Open Event Data Alliance, vintage about 2014) are big and
noisy: country blocks mix names with hundreds of cities, rivers and nicknames ("Jersey",
"Phoenix", "Vladimir"), person aliases carry titles ("RUSSIAN_PRESIDENT_VLADIMIR_PUTIN"),
and open-ended roles ("[RUSGOV >080508]") say nothing about today. So this script keeps the
parts that help news coding and makes the rest explicit:

* countries, demonyms, capitals, metonyms, IGOs and PLOVER sector triggers come from the small
  curated tables in this file; Phoenix only contributes spelling variants that look like the
  curated names (no cities: an actor resolver is not a geocoder);
* persons and national institutions come from Phoenix, titles stripped (the resolver composes
  "Russian President" + "Putin" itself), roles converted to ISO dates and PLOVER sectors,
  open-ended roles closed at ``HORIZON`` because the dictionaries cannot know who still holds
  office; ``seeds/actors/overrides.yaml`` brings the people that matter up to date;
* people whose last role ended before ``OLDEST_ROLE_END`` and companies are dropped.

Output: ``services/nlp/data/actors/*.json``, read by :mod:`newsmon.nlp.actors`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsmon.core.paths import repo_root

HORIZON = "2016-01-01"
OLDEST_ROLE_END = "1995-01-01"
_ROOT = repo_root(Path(__file__))
DEFAULT_SHARED = (_ROOT.parent if _ROOT else Path.cwd().parent) / "shared"
OUT_DIR = Path(__file__).resolve().parent / "data" / "actors"

# ISO alpha-3 | names and aliases | demonyms (adjectives and plural nouns) | capitals
_COUNTRIES = """
AFG|Afghanistan|Afghan;Afghans|Kabul
ALB|Albania|Albanian;Albanians|Tirana
DZA|Algeria|Algerian;Algerians|Algiers
AND|Andorra|Andorran|Andorra la Vella
AGO|Angola|Angolan;Angolans|Luanda
ATG|Antigua and Barbuda;Antigua|Antiguan|
ARG|Argentina|Argentine;Argentinian;Argentines;Argentinians|Buenos Aires
ARM|Armenia|Armenian;Armenians|Yerevan
AUS|Australia|Australian;Australians|Canberra
AUT|Austria|Austrian;Austrians|Vienna
AZE|Azerbaijan|Azerbaijani;Azerbaijanis;Azeri;Azeris|Baku
BHS|Bahamas;The Bahamas|Bahamian;Bahamians|Nassau
BHR|Bahrain|Bahraini;Bahrainis|Manama
BGD|Bangladesh|Bangladeshi;Bangladeshis|Dhaka
BRB|Barbados|Barbadian;Barbadians|Bridgetown
BLR|Belarus;Byelorussia;Belorussia|Belarusian;Belarusians;Belarussian|Minsk
BEL|Belgium|Belgian;Belgians|
BLZ|Belize|Belizean|Belmopan
BEN|Benin|Beninese|Porto-Novo;Cotonou
BTN|Bhutan|Bhutanese|Thimphu
BOL|Bolivia|Bolivian;Bolivians|La Paz
BIH|Bosnia and Herzegovina;Bosnia-Herzegovina;Bosnia|Bosnian;Bosnians|Sarajevo
BWA|Botswana|Motswana;Batswana|Gaborone
BRA|Brazil|Brazilian;Brazilians|Brasilia
BRN|Brunei;Brunei Darussalam|Bruneian|Bandar Seri Begawan
BGR|Bulgaria|Bulgarian;Bulgarians|Sofia
BFA|Burkina Faso|Burkinabe|Ouagadougou
BDI|Burundi|Burundian;Burundians|Gitega;Bujumbura
CPV|Cape Verde;Cabo Verde|Cape Verdean|Praia
KHM|Cambodia|Cambodian;Cambodians|Phnom Penh
CMR|Cameroon|Cameroonian;Cameroonians|Yaounde
CAN|Canada|Canadian;Canadians|Ottawa
CAF|Central African Republic|Central African|Bangui
TCD|Chad|Chadian;Chadians|N'Djamena
CHL|Chile|Chilean;Chileans|Santiago
CHN|China;People's Republic of China;PRC;Mainland China|Chinese|Beijing;Peking
COL|Colombia|Colombian;Colombians|Bogota
COM|Comoros|Comoran;Comorian|Moroni
COG|Republic of the Congo;Republic of Congo;Congo-Brazzaville;Congo Republic||Brazzaville
COD|Democratic Republic of the Congo;Democratic Republic of Congo;DR Congo;DRC;Congo-Kinshasa;Congo|Congolese|Kinshasa
CRI|Costa Rica|Costa Rican;Costa Ricans|
CIV|Ivory Coast;Cote d'Ivoire|Ivorian;Ivorians|Yamoussoukro;Abidjan
HRV|Croatia|Croatian;Croatians;Croat;Croats|Zagreb
CUB|Cuba|Cuban;Cubans|Havana
CYP|Cyprus|Cypriot;Cypriots|Nicosia
CZE|Czech Republic;Czechia|Czech;Czechs|Prague
DNK|Denmark;Greenland|Danish;Dane;Danes|Copenhagen
DJI|Djibouti|Djiboutian|
DMA|Dominica||Roseau
DOM|Dominican Republic|Dominican;Dominicans|Santo Domingo
ECU|Ecuador|Ecuadorian;Ecuadorians;Ecuadorean|Quito
EGY|Egypt|Egyptian;Egyptians|Cairo
SLV|El Salvador|Salvadoran;Salvadorans;Salvadorian|San Salvador
GNQ|Equatorial Guinea|Equatoguinean|Malabo
ERI|Eritrea|Eritrean;Eritreans|Asmara
EST|Estonia|Estonian;Estonians|Tallinn
SWZ|Eswatini;Swaziland|Swazi;Swazis|Mbabane
ETH|Ethiopia|Ethiopian;Ethiopians|Addis Ababa
FJI|Fiji|Fijian;Fijians|Suva
FIN|Finland|Finnish;Finn;Finns|Helsinki
FRA|France|French;Frenchman;Frenchmen|Paris
GAB|Gabon|Gabonese|Libreville
GMB|Gambia;The Gambia|Gambian;Gambians|Banjul
GEO|Georgia|Georgian;Georgians|Tbilisi
DEU|Germany|German;Germans|Berlin
GHA|Ghana|Ghanaian;Ghanaians|Accra
GRC|Greece|Greek;Greeks|Athens
GRD|Grenada|Grenadian|
GTM|Guatemala|Guatemalan;Guatemalans|Guatemala City
GIN|Guinea|Guinean;Guineans|Conakry
GNB|Guinea-Bissau|Bissau-Guinean|Bissau
GUY|Guyana|Guyanese|Georgetown
HTI|Haiti|Haitian;Haitians|Port-au-Prince
VAT|Holy See;Vatican City||
HND|Honduras|Honduran;Hondurans|Tegucigalpa
HKG|Hong Kong|Hong Konger;Hong Kongers|
HUN|Hungary|Hungarian;Hungarians|Budapest
ISL|Iceland|Icelandic;Icelander;Icelanders|Reykjavik
IND|India|Indian;Indians|New Delhi;Delhi
IDN|Indonesia|Indonesian;Indonesians|Jakarta
IRN|Iran;Islamic Republic of Iran;Persia|Iranian;Iranians|Tehran;Teheran
IRQ|Iraq|Iraqi;Iraqis|Baghdad
IRL|Ireland;Republic of Ireland;Eire|Irish|Dublin
ISR|Israel|Israeli;Israelis|Jerusalem;Tel Aviv
ITA|Italy|Italian;Italians|Rome
JAM|Jamaica|Jamaican;Jamaicans|Kingston
JPN|Japan|Japanese|Tokyo
JOR|Jordan|Jordanian;Jordanians|Amman
KAZ|Kazakhstan|Kazakh;Kazakhs;Kazakhstani|Astana;Nur-Sultan
KEN|Kenya|Kenyan;Kenyans|Nairobi
KIR|Kiribati||Tarawa
PRK|North Korea;Democratic People's Republic of Korea;DPRK|North Korean;North Koreans|Pyongyang
KOR|South Korea;Republic of Korea;ROK|South Korean;South Koreans|Seoul
KOS|Kosovo|Kosovar;Kosovars|Pristina
KWT|Kuwait|Kuwaiti;Kuwaitis|Kuwait City
KGZ|Kyrgyzstan;Kirghizia|Kyrgyz|Bishkek
LAO|Laos;Lao PDR|Laotian;Laotians|Vientiane
LVA|Latvia|Latvian;Latvians|Riga
LBN|Lebanon|Lebanese|Beirut
LSO|Lesotho|Basotho|Maseru
LBR|Liberia|Liberian;Liberians|Monrovia
LBY|Libya|Libyan;Libyans|Tripoli
LIE|Liechtenstein||Vaduz
LTU|Lithuania|Lithuanian;Lithuanians|Vilnius
LUX|Luxembourg|Luxembourger;Luxembourgers|
MDG|Madagascar|Malagasy|Antananarivo
MWI|Malawi|Malawian;Malawians|Lilongwe
MYS|Malaysia|Malaysian;Malaysians|Kuala Lumpur;Putrajaya
MDV|Maldives|Maldivian;Maldivians|
MLI|Mali|Malian;Malians|Bamako
MLT|Malta|Maltese|Valletta
MHL|Marshall Islands|Marshallese|Majuro
MRT|Mauritania|Mauritanian;Mauritanians|Nouakchott
MUS|Mauritius|Mauritian;Mauritians|Port Louis
MEX|Mexico|Mexican;Mexicans|Mexico City
FSM|Micronesia;Federated States of Micronesia|Micronesian|Palikir
MDA|Moldova|Moldovan;Moldovans|Chisinau
MCO|Monaco|Monegasque|
MNG|Mongolia|Mongolian;Mongolians|Ulaanbaatar;Ulan Bator
MNE|Montenegro|Montenegrin;Montenegrins|Podgorica
MAR|Morocco|Moroccan;Moroccans|Rabat
MOZ|Mozambique|Mozambican;Mozambicans|Maputo
MMR|Myanmar;Burma|Burmese|Naypyidaw;Naypyitaw;Nay Pyi Taw
NAM|Namibia|Namibian;Namibians|Windhoek
NRU|Nauru|Nauruan|
NPL|Nepal|Nepalese;Nepali;Nepalis|Kathmandu
NLD|Netherlands;The Netherlands;Holland|Dutch|The Hague;Amsterdam
NZL|New Zealand|New Zealander;New Zealanders|Wellington
NIC|Nicaragua|Nicaraguan;Nicaraguans|Managua
NER|Niger|Nigerien;Nigeriens|Niamey
NGA|Nigeria|Nigerian;Nigerians|Abuja
MKD|North Macedonia;Macedonia|Macedonian;Macedonians|Skopje
NOR|Norway|Norwegian;Norwegians|Oslo
OMN|Oman|Omani;Omanis|Muscat
PAK|Pakistan|Pakistani;Pakistanis|Islamabad
PLW|Palau|Palauan|
PSE|Palestine;State of Palestine;Palestinian territories;Occupied Palestinian Territories;West Bank;Gaza;Gaza Strip|Palestinian;Palestinians|Ramallah
PAN|Panama|Panamanian;Panamanians|Panama City
PNG|Papua New Guinea|Papua New Guinean|Port Moresby
PRY|Paraguay|Paraguayan;Paraguayans|Asuncion
PER|Peru|Peruvian;Peruvians|Lima
PHL|Philippines;The Philippines|Philippine;Filipino;Filipinos|Manila
POL|Poland|Polish;Pole;Poles|Warsaw
PRT|Portugal|Portuguese|Lisbon
QAT|Qatar|Qatari;Qataris|Doha
ROU|Romania;Rumania|Romanian;Romanians|Bucharest
RUS|Russia;Russian Federation|Russian;Russians|Moscow
RWA|Rwanda|Rwandan;Rwandans|Kigali
KNA|Saint Kitts and Nevis;St Kitts and Nevis||Basseterre
LCA|Saint Lucia;St Lucia|Saint Lucian|Castries
VCT|Saint Vincent and the Grenadines;St Vincent and the Grenadines|Vincentian|Kingstown
WSM|Samoa|Samoan;Samoans|Apia
SMR|San Marino|Sammarinese|
STP|Sao Tome and Principe|Santomean|
SAU|Saudi Arabia|Saudi;Saudis|Riyadh
SEN|Senegal|Senegalese|Dakar
SRB|Serbia|Serbian;Serbians;Serb;Serbs|Belgrade
SYC|Seychelles|Seychellois|
SLE|Sierra Leone|Sierra Leonean;Sierra Leoneans|Freetown
SGP|Singapore|Singaporean;Singaporeans|
SVK|Slovakia|Slovak;Slovaks;Slovakian|Bratislava
SVN|Slovenia|Slovenian;Slovenians;Slovene;Slovenes|Ljubljana
SLB|Solomon Islands|Solomon Islander;Solomon Islanders|Honiara
SOM|Somalia|Somali;Somalis|Mogadishu
ZAF|South Africa;Republic of South Africa|South African;South Africans|Pretoria
SSD|South Sudan|South Sudanese|Juba
ESP|Spain|Spanish;Spaniard;Spaniards|Madrid
LKA|Sri Lanka;Ceylon|Sri Lankan;Sri Lankans|Colombo
SDN|Sudan|Sudanese|Khartoum;Port Sudan
SUR|Suriname|Surinamese|Paramaribo
SWE|Sweden|Swedish;Swede;Swedes|Stockholm
CHE|Switzerland|Swiss|Bern;Berne
SYR|Syria;Syrian Arab Republic|Syrian;Syrians|Damascus
TWN|Taiwan;Republic of China;Chinese Taipei|Taiwanese|Taipei
TJK|Tajikistan|Tajik;Tajiks|Dushanbe
TZA|Tanzania|Tanzanian;Tanzanians|Dodoma;Dar es Salaam
THA|Thailand|Thai;Thais|Bangkok
TLS|East Timor;Timor-Leste|Timorese|Dili
TGO|Togo|Togolese|Lome
TON|Tonga|Tongan;Tongans|Nuku'alofa
TTO|Trinidad and Tobago;Trinidad|Trinidadian;Trinidadians|Port of Spain
TUN|Tunisia|Tunisian;Tunisians|Tunis
TUR|Turkey;Turkiye|Turkish;Turk;Turks|Ankara
TKM|Turkmenistan|Turkmen|Ashgabat
TUV|Tuvalu|Tuvaluan|Funafuti
UGA|Uganda|Ugandan;Ugandans|Kampala
UKR|Ukraine;Crimea|Ukrainian;Ukrainians|Kyiv;Kiev
ARE|United Arab Emirates;UAE;U.A.E.;The Emirates|Emirati;Emiratis|Abu Dhabi
GBR|United Kingdom;UK;U.K.;Britain;Great Britain;England;Scotland;Wales;Northern Ireland|British;Briton;Britons;Brits|London
USA|United States;United States of America;US;U.S.;USA;U.S.A.;America;Puerto Rico|American;Americans|Washington;Washington DC;Washington D.C.
URY|Uruguay|Uruguayan;Uruguayans|Montevideo
UZB|Uzbekistan|Uzbek;Uzbeks|Tashkent
VUT|Vanuatu|Ni-Vanuatu|Port Vila
VEN|Venezuela|Venezuelan;Venezuelans|Caracas
VNM|Vietnam;Viet Nam|Vietnamese|Hanoi
YEM|Yemen|Yemeni;Yemenis|Sanaa;Sana'a
ZMB|Zambia|Zambian;Zambians|Lusaka
ZWE|Zimbabwe|Zimbabwean;Zimbabweans|Harare
"""

# CAMEO/Phoenix codes that differ from the ISO/PLOVER code, including defunct states whose
# people and institutions we fold into the successor so historical roles keep a country.
CAMEO_TO_ISO = {
    "TMP": "TLS",
    "KSV": "KOS",
    "ROM": "ROU",
    "ZAR": "COD",
    "BUR": "MMR",
    "SUN": "RUS",
    "USR": "RUS",
    "DDR": "DEU",
    "FRG": "DEU",
    "CSK": "CZE",
    "YUG": "SRB",
    "SCG": "SRB",
    "FRY": "SRB",
    "SRP": "SRB",
}
ISO_TO_CAMEO = {"TLS": "TMP", "KOS": "KSV"}

# PLOVER's partially recognised entities: country of the nominal sovereign, sector PRE.
_PRE_REGIONS = {
    "GEO": ["Abkhazia", "South Ossetia"],
    "UKR": ["Donetsk People's Republic", "Luhansk People's Republic", "DPR", "LPR"],
    "AZE": ["Nagorno-Karabakh", "Artsakh"],
    "CYP": ["Northern Cyprus", "Turkish Republic of Northern Cyprus"],
    "MDA": ["Transnistria", "Transdniestria"],
    "SOM": ["Somaliland"],
    "MAR": ["Western Sahara", "Sahrawi Arab Democratic Republic"],
}

# Government buildings and institutions that stand for a sector of one country.
_METONYMS = {
    "RUS": {"GOV": ["Kremlin"], "LEG": ["State Duma", "Duma"]},
    "USA": {
        "GOV": ["White House", "State Department", "Foggy Bottom", "Oval Office"],
        "MIL": ["Pentagon"],
        "LEG": ["Capitol Hill", "Congress", "US Congress", "U.S. Congress"],
    },
    "GBR": {
        "GOV": ["Downing Street", "Whitehall", "Foreign Office", "Number 10"],
        "LEG": ["Westminster", "House of Commons", "House of Lords"],
    },
    "FRA": {"GOV": ["Elysee", "Elysee Palace", "Quai d'Orsay", "Matignon"]},
    "DEU": {"LEG": ["Bundestag", "Bundesrat"]},
    "CHN": {"GOV": ["Zhongnanhai"], "LEG": ["National People's Congress"]},
    "ISR": {"LEG": ["Knesset"]},
    "UKR": {"GOV": ["Bankova"], "LEG": ["Verkhovna Rada"]},
    "VEN": {"GOV": ["Miraflores", "Miraflores Palace"]},
    "IRN": {
        "GOV": ["Islamic Republic"],
        "MIL": ["IRGC", "Revolutionary Guards", "Islamic Revolutionary Guard Corps"],
    },
    "KOR": {"GOV": ["Blue House"]},
    "TUR": {"GOV": ["Presidential Complex"], "LEG": ["Grand National Assembly"]},
    "PSE": {"GOV": ["Palestinian Authority"]},
    "VAT": {"GOV": ["Vatican"]},
    "JPN": {"LEG": ["Diet"]},
}

# Phrases that contain a country name but are not that country; longest match wins, so
# listing them stops "Latin America" from resolving to USA.
NON_ACTORS = [
    "Latin America",
    "Latin American",
    "Latin Americans",
    "South America",
    "South American",
    "North America",
    "North American",
    "Central America",
    "Central American",
    "Middle East",
    "Middle Eastern",
    "Indian Ocean",
    "Indian subcontinent",
    "South China Sea",
    "East China Sea",
    "Gulf of Mexico",
    "Gulf of America",
    "New Mexico",
    "New Mexican",
    "New Guinea",
    "New England",
    "New South Wales",
    "British Columbia",
    "Korean Peninsula",
    "Jordan River",
    "Irish Sea",
    "English Channel",
    "Sea of Japan",
    "Washington state",
    "Washington State",
    "Turkish delight",
    "French fries",
    "Chinese New Year",
    "Georgia state",
    "Guinea pig",
    "Holland America",
    "American Samoa",
]

# short code | PLOVER country (UNO, EUR, IGO, NGO) | canonical name | aliases
_IGOS = """
UN|UNO|United Nations|UN;U.N.;United Nations;UNO;United Nations Organization
UN|UNO|UN Security Council|UN Security Council;U.N. Security Council;United Nations Security Council;UNSC;Security Council
UN|UNO|UN General Assembly|UN General Assembly;U.N. General Assembly;United Nations General Assembly;UNGA
UN|UNO|UN Secretary-General|UN Secretary-General;UN Secretary General;U.N. Secretary-General;United Nations Secretary-General
EU|EUR|European Union|EU;E.U.;European Union
EU|EUR|European Commission|European Commission;EU Commission
EU|EUR|European Council|European Council;Council of the European Union;Council of the EU
EU|EUR|European Parliament|European Parliament;Europarliament
ECB|EUR|European Central Bank|ECB;European Central Bank
NATO|IGO|North Atlantic Treaty Organization|NATO;North Atlantic Treaty Organization;North Atlantic Treaty Organisation;North Atlantic Alliance
IAEA|UNO|International Atomic Energy Agency|IAEA;International Atomic Energy Agency;UN nuclear watchdog;U.N. nuclear watchdog
AU|IGO|African Union|AU;African Union
OPEC|IGO|Organization of the Petroleum Exporting Countries|OPEC;Organization of the Petroleum Exporting Countries;Organisation of the Petroleum Exporting Countries;Organization of Petroleum Exporting Countries
WHO|UNO|World Health Organization|WHO;World Health Organization;World Health Organisation
ICC|IGO|International Criminal Court|ICC;International Criminal Court
ICJ|UNO|International Court of Justice|ICJ;International Court of Justice;World Court
IMF|IGO|International Monetary Fund|IMF;International Monetary Fund
WB|IGO|World Bank|World Bank
WTO|IGO|World Trade Organization|WTO;World Trade Organization;World Trade Organisation
ASEAN|IGO|Association of Southeast Asian Nations|ASEAN;Association of Southeast Asian Nations;Association of South East Asian Nations
GCC|IGO|Gulf Cooperation Council|GCC;Gulf Cooperation Council;Cooperation Council for the Arab States of the Gulf
LAS|IGO|Arab League|Arab League;League of Arab States
OIC|IGO|Organisation of Islamic Cooperation|OIC;Organisation of Islamic Cooperation;Organization of Islamic Cooperation;Organization of the Islamic Conference
OSCE|IGO|Organization for Security and Co-operation in Europe|OSCE;Organization for Security and Co-operation in Europe;Organization for Security and Cooperation in Europe
ECOWAS|IGO|Economic Community of West African States|ECOWAS;Economic Community of West African States
SCO|IGO|Shanghai Cooperation Organisation|SCO;Shanghai Cooperation Organisation;Shanghai Cooperation Organization
BRICS|IGO|BRICS|BRICS
G7|IGO|Group of Seven|G7;G-7;Group of Seven
G20|IGO|Group of Twenty|G20;G-20;Group of 20;Group of Twenty
CIS|IGO|Commonwealth of Independent States|Commonwealth of Independent States
CSTO|IGO|Collective Security Treaty Organization|CSTO;Collective Security Treaty Organization;Collective Security Treaty Organisation
OAS|IGO|Organization of American States|OAS;Organization of American States
SADC|IGO|Southern African Development Community|SADC;Southern African Development Community
IGAD|IGO|Intergovernmental Authority on Development|IGAD;Intergovernmental Authority on Development
EAC|IGO|East African Community|East African Community
CARICOM|IGO|Caribbean Community|CARICOM;Caribbean Community
MERCOSUR|IGO|Mercosur|Mercosur;Mercosul
OECD|IGO|Organisation for Economic Co-operation and Development|OECD;Organisation for Economic Co-operation and Development;Organization for Economic Cooperation and Development
IEA|IGO|International Energy Agency|IEA;International Energy Agency
OPCW|IGO|Organisation for the Prohibition of Chemical Weapons|OPCW;Organisation for the Prohibition of Chemical Weapons;Organization for the Prohibition of Chemical Weapons
INTERPOL|IGO|Interpol|Interpol
COE|IGO|Council of Europe|Council of Europe
UNHCR|UNO|UN Refugee Agency|UNHCR;UN Refugee Agency;U.N. refugee agency;UN refugee agency;United Nations High Commissioner for Refugees;UN High Commissioner for Refugees
UNICEF|UNO|UNICEF|UNICEF;United Nations Children's Fund;UN Children's Fund
WFP|UNO|World Food Programme|WFP;World Food Programme;World Food Program
UNRWA|UNO|UNRWA|UNRWA
UNESCO|UNO|UNESCO|UNESCO
UNDP|UNO|UN Development Programme|UNDP;UN Development Programme;United Nations Development Programme
OCHA|UNO|UN Office for the Coordination of Humanitarian Affairs|OCHA;UN humanitarian office;UN Office for the Coordination of Humanitarian Affairs
OHCHR|UNO|UN Human Rights Office|OHCHR;UN human rights office;U.N. human rights office;Office of the High Commissioner for Human Rights
UNHRC|UNO|UN Human Rights Council|UNHRC;UN Human Rights Council;U.N. Human Rights Council;Human Rights Council
UNIFIL|UNO|UNIFIL|UNIFIL
IOM|UNO|International Organization for Migration|IOM;International Organization for Migration
FAO|UNO|Food and Agriculture Organization|FAO;Food and Agriculture Organization
ILO|UNO|International Labour Organization|ILO;International Labour Organization;International Labor Organization
ICRC|NGO|International Committee of the Red Cross|ICRC;International Committee of the Red Cross;Red Cross;Red Crescent
MSF|NGO|Doctors Without Borders|MSF;Doctors Without Borders;Medecins Sans Frontieres
AMNESTY|NGO|Amnesty International|Amnesty International;Amnesty
HRW|NGO|Human Rights Watch|HRW;Human Rights Watch
HRANA|NGO|Human Rights Activists News Agency|HRANA;Human Rights Activists News Agency;Human Rights Activists in Iran
"""

# Which Phoenix IGO codes (longest prefix wins) belong to which curated IGO.
_PHOENIX_IGO = {
    "IGOUNO": "UN",
    "IGOUNOIAE": "IAEA",
    "IGOWSTNAT": "NATO",
    "IGOEUREEC": "EU",
    "IGOUNOHLHWHO": "WHO",
    "IGOUNOREFHCR": "UNHCR",
    "IGOUNOKID": "UNICEF",
    "IGOUNOWFP": "WFP",
    "IGOUNODEVWBK": "WB",
    "IGOUNOWBK": "WB",
    "IGOBUSIMF": "IMF",
    "IGOBUSWTO": "WTO",
    "IGOOPC": "OPEC",
    "IGOBUSOPC": "OPEC",
    "IGOJUDICC": "ICC",
    "IGOUNOJUDICJ": "ICJ",
    "IGOAFRAFU": "AU",
    "IGOSEAASN": "ASEAN",
    "IGOMEAARL": "LAS",
    "IGOMOSOIC": "OIC",
    "IGOWAFWAS": "ECOWAS",
    "IGOWAFBUSWAS": "ECOWAS",
    "IGOCASCIS": "CIS",
    "IGOOAS": "OAS",
    "IGOSAFSAD": "SADC",
    "IGOSAFDEVSAD": "SADC",
    "IGOCOPITP": "INTERPOL",
    "IGOWSTBUS": "OECD",
    "IGOEURSCE": "OSCE",
    "IGOEURCOE": "COE",
    "IGOUNOLABILO": "ILO",
    "IGOUNOAGRFAO": "FAO",
    "IGOPGSGCC": "GCC",
    "IGOUNOHRIHCH": "OHCHR",
    "IGOUNOAIE": "IEA",
}

# CAMEO agent codes to PLOVER sectors. CAMEO's MED (media) is PLOVER's JRN and CAMEO's HLH
# (health) is PLOVER's MED; religions become REL; INS/SEP were folded into REB by PLOVER.
# ELI (former officials, elites) is deliberately absent: see docs/actors.md.
CAMEO_AGENT = {
    "GOV": "GOV",
    "MIL": "MIL",
    "REB": "REB",
    "OPP": "OPP",
    "PTY": "PTY",
    "COP": "COP",
    "JUD": "JUD",
    "LEG": "LEG",
    "BUS": "BUS",
    "MED": "JRN",
    "HLH": "MED",
    "CVL": "CVL",
    "EDU": "EDU",
    "LAB": "LAB",
    "REF": "REF",
    "AGR": "AGR",
    "CRM": "CRM",
    "SPY": "SPY",
    "UAF": "UAF",
    "INS": "REB",
    "SEP": "REB",
    "HRI": "SOC",
    "ENV": "SOC",
    "NGO": "SOC",
    "REL": "REL",
    "MUS": "REL",
    "CHR": "REL",
    "JEW": "REL",
    "HIN": "REL",
    "BUD": "REL",
    "PPL": "CVL",
}
_CAMEO_NON_AGENT = {
    "ELI",
    "DEV",
    "RAD",
    "MOD",
    "AMN",
    "IRC",
    "GRN",
    "UNR",
    "OCC",
    "CTH",
    "PRO",
    "MAR",
    "SHI",
    "SUN",
}

# PLOVER sector triggers. Curated entries win over Phoenix's agents file where they disagree:
# the PLOVER manual puts protesters and activists in CVL ("civilians, protesters, activists"),
# keeping OPP for the organised and anti-government opposition.
_AGENT_TRIGGERS = {
    "GOV": "president;presidents;vice president;prime minister;premier;chancellor;"
    "foreign minister;foreign ministry;defence minister;defense minister;"
    "interior minister;interior ministry;finance minister;minister;ministers;ministry;"
    "government;governments;regime;administration;cabinet;leader;leaders;leadership;"
    "supreme leader;authorities;official;officials;spokesman;spokeswoman;spokesperson;"
    "diplomat;diplomats;ambassador;envoy;king;queen;emir;crown prince;"
    "head of state;secretary of state;foreign secretary;state department;junta;"
    "secretary general;secretary-general;chief of staff;"
    "dictator;president-elect;ruling party;governing coalition;mayor;governor",
    "MIL": "army;armies;troops;soldiers;soldier;military;armed forces;forces;navy;air force;"
    "marines;general;generals;commander;commanders;warplanes;warships;fighter jets;"
    "government forces;government troops;regime forces;defence forces;defense forces;"
    "defence ministry;defense ministry;ministry of defence;ministry of defense;"
    "military officials;military spokesman;paratroopers;special forces;coast guard",
    "COP": "police;policemen;police officers;riot police;security forces;gendarmerie;"
    "border guards;border police;law enforcement",
    "JUD": "court;courts;judge;judges;judiciary;prosecutor;prosecutors;supreme court;"
    "constitutional court;tribunal",
    "LEG": "parliament;parliaments;lawmakers;legislators;legislature;MPs;senator;senators;"
    "senate;congressmen;parliamentarians;lower house;upper house",
    "OPP": "opposition;opposition leader;opposition leaders;dissident;dissidents;"
    "anti-government protesters;anti-government activists;anti-government demonstrators;"
    "opposition activists;exiles",
    "CVL": "protesters;protester;protestors;demonstrators;demonstrator;activists;activist;"
    "civilians;civilian;citizens;residents;villagers;crowds;crowd;mourners",
    "REB": "rebels;rebel;insurgents;insurgent;militants;militant;guerrillas;guerrilla;"
    "separatists;separatist;jihadists;jihadist;rebel groups;armed groups;"
    "armed opposition",
    "UAF": "gunmen;gunman;unknown gunmen;armed men;assailants;attackers",
    "SPY": "intelligence;intelligence services;intelligence agency;intelligence officials;"
    "spies;spy agency;secret service",
    "JRN": "journalists;journalist;reporters;reporter;media;state media;state television;"
    "state TV;newspaper;broadcaster;news agency;state news agency",
    "MED": "doctors;nurses;health workers;medics;hospitals;hospital;health officials",
    "BUS": "businesses;companies;firms;businessmen;business leaders;investors;traders;"
    "exporters;banks",
    "LAB": "workers;unions;trade unions;labour unions;labor unions;strikers",
    "EDU": "students;student;teachers;universities;academics",
    "REL": "clerics;cleric;clergy;imams;priests;bishops;rabbis;church",
    "REF": "refugees;refugee;displaced people;asylum seekers",
    "AGR": "farmers;peasants;herders",
    "CRM": "criminals;gangs;gang;cartels;cartel;drug traffickers;smugglers",
    "": "former president;former prime minister;former leader;ex-president;"
    "former minister;former foreign minister;people;man;men;woman;women",
}

# Phoenix agent entries that mislead more than they help (objects, generic words).
_AGENT_DENY = {
    "ACTOR",
    "AIRLINER",
    "COMMERCIAL_JET",
    "JETLINER",
    "PASSENGER_AIRLINER",
    "PASSENGER_JET",
    "SETTLEMENT",
    "VILLAGE",
    "NEIGHBORHOOD",
    "NEIGHBOURHOOD",
    "COMMUNITY",
    "SMALL_TOWN",
    "POPULATION",
    "GIRL",
    "MOTHER",
    "CHILD",
    "CHILDREN",
    "INFANT",
    "WOMAN",
    "WOMEN",
    "VICTIM",
    "VICTIMS",
    "CHIEF",
    "AUTHORITY",
    "DEPUTY",
    "REVOLT",
    "UPRISING",
    "REBELLION",
    "INSURGENCY",
    "INSURGENCE",
    "CRUSADER",
    "EXILE",
    "OBJECTOR",
    "REFORMER",
    "REFORMIST",
    "CAMPAIGNER",
    "ENGINEER",
    "CHIEF_ENGINEER",
    "SCIENTIST",
    "HUNTER",
    "TENANT",
    "CUSTOMER",
    "MOB",
    "RABBLE",
    "NATIVE",
    "PARTY",
    "PARTIES",
}

_STATE_WORDS = {
    "republic",
    "of",
    "the",
    "kingdom",
    "federation",
    "state",
    "states",
    "democratic",
    "islamic",
    "people's",
    "peoples",
    "federal",
    "socialist",
    "united",
    "union",
    "arab",
    "commonwealth",
    "principality",
    "sultanate",
    "grand",
    "duchy",
    "plurinational",
    "bolivarian",
    "hashemite",
    "oriental",
}
_PARTICLES = {
    "al",
    "el",
    "bin",
    "ibn",
    "bint",
    "de",
    "da",
    "del",
    "della",
    "di",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "dos",
    "das",
    "y",
    "e",
    "of",
    "the",
    "and",
    "for",
    "in",
    "on",
    "at",
    "to",
    "s",
}
_HONORIFICS = {
    "MR",
    "MRS",
    "MS",
    "DR",
    "SIR",
    "SHEIKH",
    "SHEIK",
    "GEN",
    "GENERAL",
    "COL",
    "COLONEL",
    "LT",
    "MAJOR",
    "CAPT",
    "CAPTAIN",
    "ADMIRAL",
    "SEN",
    "SENATOR",
    "REP",
    "GOV",
    "GOVERNOR",
    "HIS",
    "HER",
    "EXCELLENCY",
    "MAJESTY",
    "HIGHNESS",
    "AYATOLLAH",
    "IMAM",
    "MULLAH",
    "PRINCE",
    "PRINCESS",
    "KING",
    "QUEEN",
    "EMIR",
    "FORMER",
    "EX",
    "LATE",
    "THEN",
    "ACTING",
    "INTERIM",
    "DEPUTY",
    "VICE",
    "NEW",
    "OUSTED",
    "EXILED",
    "JAILED",
    "SLAIN",
    "DEPOSED",
    "SECRETARY",
    "CHAIRMAN",
    "PRESIDENT",
    "PREMIER",
    "MINISTER",
    "AMBASSADOR",
    "SPEAKER",
    "CHANCELLOR",
    "LEADER",
    "ELECT",
    "PRIME",
    "FOREIGN",
    "DEFENSE",
    "DEFENCE",
    "OPPOSITION",
}
_ORG_WORDS = {
    "MINISTRY",
    "ARMY",
    "FORCE",
    "FORCES",
    "COUNCIL",
    "PARTY",
    "COMMITTEE",
    "ASSEMBLY",
    "COURT",
    "POLICE",
    "DEPARTMENT",
    "OFFICE",
    "AGENCY",
    "SERVICE",
    "GOVERNMENT",
    "PARLIAMENT",
    "FRONT",
    "MOVEMENT",
    "UNION",
    "ORGANIZATION",
    "ORGANISATION",
    "COMMISSION",
    "BANK",
    "BUREAU",
    "GUARD",
    "GUARDS",
    "BRIGADE",
    "BRIGADES",
    "INSTITUTE",
    "ASSOCIATION",
    "FEDERATION",
    "LEAGUE",
    "CORPS",
    "SENATE",
    "HOUSE",
    "CONGRESS",
    "AUTHORITY",
    "REGIME",
    "ADMINISTRATION",
    "CABINET",
    "GROUP",
    "COALITION",
    "ALLIANCE",
    "NAVY",
    "DIRECTORATE",
    "CENTER",
    "CENTRE",
    "FUND",
    "TRIBUNAL",
    "SECRETARIAT",
    "PRESIDENCY",
    "PALACE",
    "KREMLIN",
    "DUMA",
    "RADA",
    "MILITARY",
    "TROOPS",
    "SOLDIERS",
    "STAFF",
    "COMMAND",
    "REPUBLIC",
    "STATE",
    "FAMILY",
    "CHURCH",
    "SOCIETY",
    "CLUB",
    "NETWORK",
    "PROGRAM",
    "PROGRAMME",
    "MISSION",
    "EMBASSY",
    "CONSULATE",
    "JUNTA",
    "OF",
    "AND",
    "THE",
}

# Single-token aliases that are ordinary English words; Phoenix lists some as nicknames.
_COMMON_WORDS_TEXT = """
ORGANIZATION ORGANISATION FRONT MOVEMENT PARTY GROUP ARMY UNION JUSTICE FREEDOM LIBERATION
RESISTANCE REVOLUTION STATE BASE ORDER ACTION UNITY SOLIDARITY STRUGGLE VANGUARD DEFENDERS
MARTYRS TIGERS LIONS EAGLES HAWKS PHOENIX BROTHERS BROTHERHOOD PEOPLE NATION GOVERNMENT
REGIME COUNCIL LEAGUE ALLIANCE COALITION CONGRESS SENATE HOUSE CROWN THRONE PALACE CAPITOL
HOPE GLORY VICTORY PEACE TRUTH LIGHT DAWN SWORD SHIELD STORM THUNDER RAIN RICE BUSH KING
QUEEN PRINCE WHITE BLACK GREEN BROWN YOUNG LONG SHORT SMALL GREAT BIG LITTLE HIGH LOW GOOD
BEST MAY MARCH JUNE AUGUST WILL CAN MUST SHALL SAID SAYS NEW OLD FIRST LAST FIELD FIELDS
HILL HILLS WOOD WOODS STONE RIVER LAKE PARK MARK BANK BANKS PRICE CASH GOLD SILVER IRON
STEEL COTTON FOOD WAR WARS ISLAM ALLAH GOD HOLY SAINT MONK CARDINAL POPE BISHOP CHANCELLOR
MINISTER PRESIDENT LEADER GENERAL COLONEL MAJOR CAPTAIN JUDGE COURT POLICE LAW RULE RULES
TRUST CARE AID HELP RELIEF CHANGE REFORM PROGRESS FUTURE UNITED ISLAMIC NATIONAL POPULAR
DEMOCRATIC SOCIALIST COMMUNIST REPUBLICAN LIBERAL CONSERVATIVE LABOUR LABOR CENTER CENTRE
LEFT RIGHT NORTH SOUTH EAST WEST CENTRAL MIDDLE AMERICA EUROPE AFRICA ASIA ARAB ARABS KURD
KURDS KURDISH SHIITE SHIA SUNNI CHRISTIAN JEWISH MUSLIM MUSLIMS CATHOLIC BUDDHIST HINDU SIKH
WARRIOR WARRIORS SOLDIER SOLDIERS FIGHTER FIGHTERS GUARD GUARDS SPECIAL SECRET HAMMER ARROW
SPEAR LION TIGER EAGLE WOLF WOLVES BEAR FOX DOVE CROSS STAR SUN MOON SKY FIRE WATER EARTH
LAND HOME FAMILY BROTHER SISTER FATHER MOTHER SON DAUGHTER FRIEND FRIENDS SHERIFF MAYOR DEAN
BARON EARL DUKE LORD LADY MISS GRANT HUNT WARD CROFT BOLT SHARP STRONG WISE WORTH NOBLE
POWER POWERS COLE LANE HALL MILLS MILL FISHER BAKER CARTER TAYLOR TURNER COOK SMITH MASON
PORTER WALKER PARKER HUNTER MARTIN JOHNSON CLINTON MOORE JONES WILLIAMS DAVIS MILLER WILSON
ANDERSON THOMAS JACKSON HARRIS LEWIS ROBINSON CLARK WRIGHT SCOTT ADAMS NELSON CAMPBELL
MITCHELL ROBERTS PHILLIPS EVANS EDWARDS COLLINS STEWART MORRIS MURPHY ROGERS REED BELL KELLY
HOWARD COX RICHARDSON WATSON BROOKS BENNETT GRAY GREY JAMES HUGHES MYERS FOSTER SANDERS ROSS
MORALES POWELL SULLIVAN RUSSELL ORTIZ JENKINS GUTIERREZ PERRY BUTLER BARNES FERNANDEZ
GONZALEZ RODRIGUEZ LOPEZ PEREZ SANCHEZ RAMIREZ TORRES FLORES RIVERA GOMEZ DIAZ CRUZ REYES
GARCIA MARTINEZ HERNANDEZ KHAN ALI AHMED AHMAD MOHAMMED MUHAMMAD MOHAMMAD HASSAN HUSSEIN
HUSSAIN ABDULLAH SINGH KUMAR SHARMA KIM LEE CHOI WANG LI ZHANG LIU CHEN YANG HUANG ZHAO WU
ZHOU NGUYEN TRAN SATO SUZUKI TANAKA RAHMAN HOSSAIN SHAH MALIK SHEIKH MIRZA IBRAHIM ISMAIL
YUSUF OMAR OSMAN MOUSSA MUSA ISSA DIALLO TRAORE KEITA TOURE CAMARA SALL BA NDIAYE DIOP SOW
BAH ROSE FRANK GEORGE JOHN PAUL PETER ALBERT HERBERT CHRISTOPHER JACOB ADONIS RAJA MANSOUR
SHARIF COHEN BLANC DUPONT GRAF IRVINE HARDING BARROW MONITOR OCEAN PEACEKEEPER YARD SALVO
PARADIS ZERO MAVERICKS YAHWEH BOOGEYMEN CAMO MUHANNAD SHAHIN HAMZAH ALOIS RABUN STEPHENSON
STRATHCLYDE ROJAS JIMENEZ PASSY PEART PEET CHIL BEACHE GATES HOTARU ALEPH VENCEREMOS CONTRAS
PROVOS KACH KAKH CLANDESTINI AQSA AKSA
"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


@dataclass
class RawBlock:
    """One PETRARCH dictionary entry: names (primary first), codes, and the source comment."""

    names: list[str] = field(default_factory=list)
    codes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    comment: str = ""


def parse_dictionary(lines: Iterable[str]) -> list[RawBlock]:
    """Group dictionary lines into blocks the way PETRARCH reads them.

    A block is a primary line, '+' synonyms, and bracketed codes (inline or on their own
    lines); further un-prefixed names before the first code also belong to the block.
    """
    blocks: list[RawBlock] = []
    cur: RawBlock | None = None
    for raw in lines:
        text, _, comment = raw.partition("#")
        text = text.strip()
        if not text or text.startswith("!") or text.startswith("<"):
            continue
        codes = re.findall(r"\[([^\]]*)\]", text)
        name_part = re.sub(r"\[[^\]]*\]", " ", text).strip()
        if name_part:
            names = [n.strip() for n in name_part.split("+") if n.strip()]
            if not name_part.startswith("+") and (cur is None or cur.codes):
                cur = RawBlock(comment=comment.strip())
                blocks.append(cur)
            if cur is None:
                continue
            cur.names.extend(n.replace(" ", "_") for n in names)
        if cur is not None:
            cur.codes.extend(c for c in (_parse_code(x) for x in codes) if c)
    return [b for b in blocks if b.names and b.codes]


def _parse_code(spec: str) -> tuple[str, str | None, str | None] | None:
    """'RUSGOV 991231-080507' -> ('RUSGOV', '1999-12-31', '2008-05-07'); bad dates -> None."""
    parts = spec.replace("> ", ">").replace("< ", "<").split()
    if not parts or not re.fullmatch(r"[A-Z~]+", parts[0]):
        return None
    code, start, end = parts[0], None, None
    if len(parts) > 1:
        when = parts[1]
        if when.startswith(">"):
            start = _phoenix_date(when[1:])
        elif when.startswith("<"):
            end = _phoenix_date(when[1:])
        elif "-" in when:
            a, b = when.split("-", 1)
            start, end = _phoenix_date(a), _phoenix_date(b)
            if start is None or end is None:
                return None
        else:
            return None
        if start is None and end is None:
            return None
    return code, start, end


def _phoenix_date(text: str) -> str | None:
    """YYMMDD (years below 30 are 20xx, as Phoenix writes them) or YYYYMMDD to ISO."""
    if not text.isdigit() or len(text) not in (6, 8):
        return None
    if len(text) == 6:
        yy = int(text[:2])
        year, rest = (2000 + yy if yy < 30 else 1900 + yy), text[2:]
    else:
        year, rest = int(text[:4]), text[4:]
    try:
        return dt.date(year, int(rest[:2]) or 1, int(rest[2:]) or 1).isoformat()
    except ValueError:
        return None


def _fold(text: str) -> str:
    """Accent-free upper case, the form Phoenix names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def display_name(phoenix: str, acronyms: bool) -> str | None:
    """'BASHAR_AL-ASSAD_' -> 'Bashar al-Assad'; None for names that are not Latin text.

    Case matters downstream: the resolver requires an upper-case initial for capitalised
    tokens and exact case for all-capital ones, so acronyms ("FSB", "U.N.") stay upper case
    and particles ("al", "bin", "of") go lower case.
    """
    name = re.sub(r"\([^)]*\)", " ", phoenix).replace("_", " ").strip(" ,.-")
    if phoenix.rstrip("_").endswith("."):
        name += "."
    if not name or not re.search(r"[A-Za-z]", name) or re.search(r"[^\x20-\x7e]", name):
        return None
    words = name.split()

    def word_case(w: str) -> str:
        letters = re.sub(r"[^A-Za-z]", "", w)
        if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?\.?", w) or (
            acronyms
            and (len(letters) <= 3 or not re.search(r"[AEIOUY]", letters))
            and letters.lower() not in _PARTICLES
        ):
            return w
        parts = re.split(r"([-'])", w)
        out = []
        for i, p in enumerate(parts):
            low = p.lower()
            if low in _PARTICLES and (len(words) > 1 or i > 0):
                out.append(low)
            else:
                out.append(p[:1].upper() + p[1:].lower())
        return "".join(out)

    cased = [word_case(w) for w in words]
    if cased and cased[0][:1].islower():
        cased[0] = cased[0][:1].upper() + cased[0][1:]
    return " ".join(cased)


def _plurals(phrase: str) -> list[str]:
    """Regular English plural of the last word, as PETRARCH generates it."""
    head, _, last = phrase.rpartition(" ")
    low = last.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    elif low.endswith("y") and low[-2:-1] not in "aeiou":
        plural = last[:-1] + "ies"
    elif low.endswith("man"):
        plural = last[:-3] + "men"
    else:
        plural = last + "s"
    return [phrase, f"{head} {plural}".strip()]


def build_agents(agents_file: Path) -> dict[str, str]:
    """Trigger phrase (lower case, hyphens as spaces) -> PLOVER sector; '' means 'no sector'."""
    triggers: dict[str, str] = {}
    subs = {
        "!PERSON!": ["MAN", "MEN", "WOMAN", "WOMEN", "PERSON"],
        "!MINIST!": ["MINISTER", "MINISTERS", "MINISTRY", "MINISTRIES"],
    }
    for raw in agents_file.read_text(encoding="utf-8", errors="replace").splitlines():
        text = raw.split("#", 1)[0].strip()
        m = re.match(r"([^\s\[{]+)\s*(\{[^}]*\})?\s*\[~([A-Z]{3})", text)
        if not m or m.group(1) in _AGENT_DENY:
            continue
        agent = CAMEO_AGENT.get(m.group(3))
        if agent is None:
            continue
        forms = [m.group(1)]
        for key, values in subs.items():
            forms = [f.replace(key, v) for f in forms for v in (values if key in f else [""])]
        if m.group(1).endswith("MINIST"):
            forms = [m.group(1) + s for s in ("ER", "ERS", "RY", "RIES")]
        explicit = (m.group(2) or "{}").strip("{} ")
        phrases: list[str] = []
        for f in forms:
            phrase = f.replace("_", " ").replace("-", " ").strip().lower()
            phrases.extend(
                _plurals(phrase) if explicit == "" and "{" not in (m.group(2) or "") else [phrase]
            )
        phrases += [p.replace("_", " ").lower() for p in explicit.split() if p]
        for p in phrases:
            if p and re.fullmatch(r"[a-z' ]+", p) and p.split()[-1] not in _PARTICLES:
                triggers.setdefault(p, agent)
    for agent, spec in _AGENT_TRIGGERS.items():
        for phrase in spec.split(";"):
            triggers[phrase.strip().replace("-", " ").lower()] = agent
    return dict(sorted(triggers.items()))


def _country_rows() -> Iterator[tuple[str, list[str], list[str], list[str]]]:
    for line in _COUNTRIES.strip().splitlines():
        code, names, demonyms, capitals = line.split("|")
        split = lambda s: [x for x in s.split(";") if x]  # noqa: E731
        yield code, split(names), split(demonyms), split(capitals)


def _similar(variant: str, names: list[str]) -> bool:
    """Keep Phoenix spelling variants ("RUSSLAND", "ISLAMIC_REPUBLIC_OF_IRAN"), not cities."""
    tokens = variant.lower().replace("-", " ").split()
    known = {t for n in names for t in n.lower().replace("-", " ").split()} - _STATE_WORDS
    if any(len(t) < 4 and t not in _STATE_WORDS for t in tokens):
        return False
    if len(tokens) > 1:
        return any(t in known for t in tokens) and all(
            t in known or t in _STATE_WORDS for t in tokens
        )
    word = tokens[0]
    if "." in word or len(word) < 4:
        return False
    for k in known:
        common = len(_common_prefix(word, k))
        if abs(len(word) - len(k)) <= 2 and (
            common >= 4 or (common >= 3 and len(word) == len(k) and len(k) <= 5)
        ):
            return True
    return False


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _code_parts(code: str) -> tuple[str | None, str | None, bool]:
    """'RUSGOVMIL' -> ('RUS', 'GOV', False); 'USAASMGOV' -> ('USA', 'GOV', True: sub-national).

    The first part is an ISO code, an IGO short code, "IMG" or "NGO"; None when the code
    names a region or a company and cannot be used.
    """
    head, chunks = code[:3], [code[i : i + 3] for i in range(3, len(code), 3)]
    if head in ("IGO",):
        best = max((p for p in _PHOENIX_IGO if code.startswith(p)), key=len, default=None)
        return (_PHOENIX_IGO[best] if best else None), None, False
    if head == "IMG":
        return "IMG", "REB", False
    if head in ("MNC", "NGO"):
        return None, None, False
    iso = CAMEO_TO_ISO.get(head, head)
    if iso not in _ISO:
        return ("IMG", "REB", False) if "REB" in chunks else (None, None, False)
    agents = [CAMEO_AGENT[c] for c in chunks if c in CAMEO_AGENT]
    sub = bool(chunks) and chunks[0] not in CAMEO_AGENT and chunks[0] not in _CAMEO_NON_AGENT
    if agents[:1] == ["GOV"] and len(agents) > 1 and agents[1] in ("LEG", "JUD"):
        agents = agents[1:]
    return iso, (agents[0] if agents else None), sub


_ISO = {row[0] for row in _country_rows()}


def _looks_like_person(block: RawBlock) -> bool:
    if "countryinfo" in block.comment.lower():
        return True
    words = re.sub(r"\([^)]*\)", "", block.names[0]).strip("_").split("_")
    return 2 <= len(words) <= 5 and not any(w.upper() in _ORG_WORDS for w in words)


def _person_aliases(block: RawBlock, title_words: set[str]) -> tuple[str, list[str]] | None:
    """Canonical name and aliases; titled forms are reduced to the name they end with."""
    canonical = display_name(block.names[0], acronyms=False)
    if canonical is None:
        return None
    canon_tokens = _fold(canonical).replace("-", " ").split()
    out: list[str] = []
    for raw in block.names:
        words = [w for w in re.sub(r"\([^)]*\)", "", raw).strip("_").split("_") if w]
        stripped = False
        while len(words) > 1 and (
            words[0].rstrip(".").upper() in title_words or "'S" in words[0].upper()
        ):
            words, stripped = words[1:], True
        if any(w.upper() in {"GOVERNMENT", "REGIME", "ADMINISTRATION"} for w in words):
            continue
        alias = display_name("_".join(words), acronyms=False)
        if alias is None:
            continue
        toks = _fold(alias).replace("-", " ").split()
        if stripped and not _is_subsequence(toks, canon_tokens):
            continue
        if len(toks) == 1 and (
            len(toks[0]) < 4 or toks[0] in _COMMON_WORDS or toks[0] in title_words
        ):
            continue
        out.append(alias)
    canon_ok = len(canon_tokens) > 1 or (
        len(canon_tokens[0]) >= 4 and canon_tokens[0] not in _COMMON_WORDS
    )
    aliases = _unique([canonical, *out] if canon_ok else out)
    return (canonical, aliases) if aliases else None


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(tok in it for tok in short)


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = _fold(item).replace("-", " ")
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _org_aliases(block: RawBlock, generic: set[str]) -> list[str]:
    """Institution and group names, minus generic ones ("Supreme Court justices")."""
    out = []
    for raw in block.names:
        alias = display_name(re.sub(r"^THE_", "", raw), acronyms=True)
        if alias is None:
            continue
        toks = _fold(alias).replace("-", " ").replace(".", "").split()
        content = [t for t in toks if t.lower() not in _PARTICLES]
        if len(content) == 1 and content[0] in _COMMON_WORDS:
            continue
        if all(t.lower() in generic for t in toks):
            continue
        if len(toks) == 1 and (toks[0] in _COMMON_WORDS or len(toks[0]) < 3):
            continue
        out.append(alias)
    return _unique(out)


def _roles(block: RawBlock, person: bool) -> tuple[list[list[str | None]], str | None, bool]:
    """PLOVER roles [code, agent, start, end], the home code, and a sub-national flag.

    Person roles that Phoenix leaves open are closed at HORIZON. ELI periods only give the
    home country: a former official resolves to the country with no sector.
    """
    roles: list[list[str | None]] = []
    home: str | None = None
    sub = False
    for code, start, end in block.codes:
        iso, agent, is_sub = _code_parts(code)
        sub = sub or is_sub
        if iso is None:
            continue
        home = iso
        if agent is None and person and iso in _ISO:
            continue
        if person and (end is None or end > HORIZON):
            end = HORIZON
        if start is not None and end is not None and start >= end:
            continue
        roles.append([iso, agent, start, end])
    if roles:
        home = max(roles, key=lambda r: r[3] or "9999")[0]
    return roles, home, sub


def build(shared: Path) -> dict[str, object]:
    """Parse the dictionaries under ``shared/reference/actors`` into the JSON-ready KB."""
    src = shared / "reference" / "actors"
    agents = build_agents(src / "Phoenix.agents.txt")
    generic = {w for phrase in agents for w in phrase.split()} | {
        "of",
        "the",
        "and",
        "for",
        "in",
        "on",
        "to",
        "us",
        "u",
        "s",
        "national",
        "federal",
        "republic",
        "supreme",
        "state",
        "department",
        "united",
        "states",
        "central",
        "high",
        "general",
        "public",
        "security",
        "service",
        "affairs",
        "foreign",
        "internal",
        "interior",
        "office",
        "committee",
        "commission",
        "council",
        "house",
        "senate",
    }
    title_words = _HONORIFICS | {w.upper() for phrase in agents for w in phrase.split()}

    countries: dict[str, dict[str, object]] = {}
    for code, names, demonyms, capitals in _country_rows():
        entry: dict[str, object] = {
            "name": names[0],
            "aliases": names,
            "demonyms": demonyms,
            "capitals": capitals,
        }
        if code in ISO_TO_CAMEO:
            entry["cameo"] = ISO_TO_CAMEO[code]
        if code in _METONYMS:
            entry["metonyms"] = _METONYMS[code]
        if code in _PRE_REGIONS:
            entry["pre"] = _PRE_REGIONS[code]
        countries[code] = entry
    for _code, names, demonyms, _ in _country_rows():
        title_words |= {_fold(w) for n in names + demonyms for w in n.split()}

    entities: list[dict[str, object]] = []
    igo_extra: dict[str, list[str]] = {}
    for fname in (
        "Phoenix.Countries.actors.txt",
        "Phoenix.International.actors.txt",
        "Phoenix.MilNonState.actors.txt",
    ):
        lines = (src / fname).read_text(encoding="utf-8", errors="replace").splitlines()
        for block in parse_dictionary(lines):
            _add_block(block, fname, countries, entities, igo_extra, generic, title_words)

    _drop_shared_variants(countries)
    igos = []
    for line in _IGOS.strip().splitlines():
        code, plover, name, aliases = line.split("|")
        extra = igo_extra.get(code, []) if name == _first_igo_name(code) else []
        igos.append(
            {
                "code": code,
                "plover": plover,
                "name": name,
                "aliases": _unique(aliases.split(";") + extra),
            }
        )
    entities = _merge_duplicates(entities)
    return {
        "manifest": {
            "source": "Phoenix/PETRARCH dictionaries (MIT, Open Event Data Alliance) "
            "and the curated tables in newsmon/nlp/build_actor_kb.py",
            "horizon": HORIZON,
            "oldest_role_end": OLDEST_ROLE_END,
            "counts": {
                "countries": len(countries),
                "igos": len(igos),
                "agents": len(agents),
                "entities": len(entities),
            },
        },
        "countries": countries,
        "igos": igos,
        "agents": agents,
        "non_actors": NON_ACTORS,
        "entities": entities,
    }


def _drop_shared_variants(countries: dict[str, dict[str, object]]) -> None:
    """A Phoenix variant claimed by two countries ("Korea") is ambiguous: keep it only where
    the curated table lists it ("Congo" is the DRC's), otherwise nowhere."""
    curated = {code: {_fold(n) for n in names} for code, names, _, _ in _country_rows()}
    owners: dict[str, set[str]] = {}
    for code, entry in countries.items():
        for alias in entry["aliases"]:  # type: ignore[attr-defined]
            owners.setdefault(_fold(alias), set()).add(code)
    for code, entry in countries.items():
        entry["aliases"] = [
            a
            for a in entry["aliases"]  # type: ignore[attr-defined]
            if len(owners[_fold(a)]) == 1 or _fold(a) in curated[code]
        ]


def _first_igo_name(code: str) -> str:
    for line in _IGOS.strip().splitlines():
        if line.startswith(code + "|"):
            return line.split("|")[2]
    return ""


def _add_block(
    block: RawBlock,
    fname: str,
    countries: dict[str, dict[str, object]],
    entities: list[dict[str, object]],
    igo_extra: dict[str, list[str]],
    generic: set[str],
    title_words: set[str],
) -> None:
    """Route one Phoenix block: country variant, IGO variant, person, or institution/group."""
    parts = [_code_parts(c) for c, _, _ in block.codes]
    usable = [p for p in parts if p[0] is not None]
    if not usable:
        return
    if all(agent is None for _, agent, _ in usable):
        iso = usable[-1][0]
        if iso in countries:
            entry = countries[iso]
            names = list(entry["aliases"]) + list(entry["demonyms"])  # type: ignore[call-overload]
            taken = {_fold(n) for c in countries.values() for n in [*c["demonyms"], *c["capitals"]]}  # type: ignore[misc]
            variants = [display_name(n, acronyms=False) for n in block.names]
            keep = [v for v in variants if v and _fold(v) not in taken and _similar(v, names)]
            entry["aliases"] = _unique(list(entry["aliases"]) + keep)  # type: ignore[call-overload]
            return
        if iso in {line.split("|")[0] for line in _IGOS.strip().splitlines()}:
            if _looks_like_person(block):
                pass
            else:
                igo_extra.setdefault(iso, []).extend(_org_aliases(block, generic))
                return
    person = fname != "Phoenix.MilNonState.actors.txt" and _looks_like_person(block)
    roles, home, sub = _roles(block, person)
    if sub or home is None:
        return
    if person:
        if not roles:
            return
        last_end = max((r[3] or HORIZON) for r in roles)  # type: ignore[type-var]
        if last_end < OLDEST_ROLE_END:
            return
        named = _person_aliases(block, title_words)
        if named is None:
            return
        name, aliases = named
        entities.append(
            {"name": name, "kind": "person", "home": home, "aliases": aliases, "roles": roles}
        )
    else:
        aliases = _org_aliases(block, generic)
        if not aliases or not roles:
            return
        entities.append(
            {"name": aliases[0], "kind": "org", "home": home, "aliases": aliases, "roles": roles}
        )


def _merge_duplicates(entities: list[dict[str, object]]) -> list[dict[str, object]]:
    """Phoenix lists some people twice (XI_JINPING, BASHAR_AL_ASSAD): merge by full name."""
    by_key: dict[tuple[str, str], dict[str, object]] = {}
    out: list[dict[str, object]] = []
    for ent in entities:
        keys = [
            (str(ent["kind"]), _fold(a).replace("-", " ").replace(".", ""))
            for a in ent["aliases"]
            if " " in str(a)
        ]  # type: ignore[attr-defined]
        target = next((by_key[k] for k in keys if k in by_key), None)
        if target is None or target["home"] != ent["home"]:
            target = ent
            out.append(ent)
        else:
            target["aliases"] = _unique(list(target["aliases"]) + list(ent["aliases"]))  # type: ignore[call-overload]
            for role in ent["roles"]:  # type: ignore[attr-defined]
                if role not in target["roles"]:  # type: ignore[operator]
                    target["roles"].append(role)  # type: ignore[attr-defined]
        for k in keys:
            by_key.setdefault(k, target)
    return out


def write(kb: dict[str, object], out_dir: Path) -> list[Path]:
    """One compact JSON file per section, so a diff of the data stays readable."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for section in ("manifest", "countries", "igos", "agents", "non_actors", "entities"):
        path = out_dir / f"{section}.json"
        with path.open("w", encoding="utf-8") as fh:
            if section == "entities":
                fh.write("[\n")
                rows = kb[section]
                for i, ent in enumerate(rows):  # type: ignore[arg-type]
                    sep = ",\n" if i < len(rows) - 1 else "\n"  # type: ignore[arg-type]
                    fh.write(json.dumps(ent, ensure_ascii=False, separators=(",", ":")) + sep)
                fh.write("]\n")
            else:
                json.dump(kb[section], fh, ensure_ascii=False, indent=1, sort_keys=False)
                fh.write("\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="folder holding reference/actors/Phoenix.*.txt",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    src = args.shared / "reference" / "actors"
    if not (src / "Phoenix.Countries.actors.txt").is_file():
        print(f"error: no Phoenix dictionaries under {src}; pass --shared PATH", file=sys.stderr)
        return 2
    kb = build(args.shared)
    paths = write(kb, args.out)
    total = sum(p.stat().st_size for p in paths)
    counts = kb["manifest"]["counts"]  # type: ignore[index]
    print(f"wrote {len(paths)} files, {total / 1e6:.2f} MB, to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
