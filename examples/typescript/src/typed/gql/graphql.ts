/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The options of a property. */
export type CompanyIndustry =
  /** Accounting ("ACCOUNTING") */
  | 'ACCOUNTING'
  /** Airlines/Aviation ("AIRLINES_AVIATION") */
  | 'AIRLINES_AVIATION'
  /** Alternative Dispute Resolution ("ALTERNATIVE_DISPUTE_RESOLUTION") */
  | 'ALTERNATIVE_DISPUTE_RESOLUTION'
  /** Alternative Medicine ("ALTERNATIVE_MEDICINE") */
  | 'ALTERNATIVE_MEDICINE'
  /** Animation ("ANIMATION") */
  | 'ANIMATION'
  /** Apparel & Fashion ("APPAREL_FASHION") */
  | 'APPAREL_FASHION'
  /** Architecture & Planning ("ARCHITECTURE_PLANNING") */
  | 'ARCHITECTURE_PLANNING'
  /** Arts and Crafts ("ARTS_AND_CRAFTS") */
  | 'ARTS_AND_CRAFTS'
  /** Automotive ("AUTOMOTIVE") */
  | 'AUTOMOTIVE'
  /** Aviation & Aerospace ("AVIATION_AEROSPACE") */
  | 'AVIATION_AEROSPACE'
  /** Banking ("BANKING") */
  | 'BANKING'
  /** Biotechnology ("BIOTECHNOLOGY") */
  | 'BIOTECHNOLOGY'
  /** Broadcast Media ("BROADCAST_MEDIA") */
  | 'BROADCAST_MEDIA'
  /** Building Materials ("BUILDING_MATERIALS") */
  | 'BUILDING_MATERIALS'
  /** Business Supplies and Equipment ("BUSINESS_SUPPLIES_AND_EQUIPMENT") */
  | 'BUSINESS_SUPPLIES_AND_EQUIPMENT'
  /** Capital Markets ("CAPITAL_MARKETS") */
  | 'CAPITAL_MARKETS'
  /** Chemicals ("CHEMICALS") */
  | 'CHEMICALS'
  /** Civic & Social Organization ("CIVIC_SOCIAL_ORGANIZATION") */
  | 'CIVIC_SOCIAL_ORGANIZATION'
  /** Civil Engineering ("CIVIL_ENGINEERING") */
  | 'CIVIL_ENGINEERING'
  /** Commercial Real Estate ("COMMERCIAL_REAL_ESTATE") */
  | 'COMMERCIAL_REAL_ESTATE'
  /** Computer Games ("COMPUTER_GAMES") */
  | 'COMPUTER_GAMES'
  /** Computer Hardware ("COMPUTER_HARDWARE") */
  | 'COMPUTER_HARDWARE'
  /** Computer Networking ("COMPUTER_NETWORKING") */
  | 'COMPUTER_NETWORKING'
  /** Computer & Network Security ("COMPUTER_NETWORK_SECURITY") */
  | 'COMPUTER_NETWORK_SECURITY'
  /** Computer Software ("COMPUTER_SOFTWARE") */
  | 'COMPUTER_SOFTWARE'
  /** Construction ("CONSTRUCTION") */
  | 'CONSTRUCTION'
  /** Consumer Electronics ("CONSUMER_ELECTRONICS") */
  | 'CONSUMER_ELECTRONICS'
  /** Consumer Goods ("CONSUMER_GOODS") */
  | 'CONSUMER_GOODS'
  /** Consumer Services ("CONSUMER_SERVICES") */
  | 'CONSUMER_SERVICES'
  /** Cosmetics ("COSMETICS") */
  | 'COSMETICS'
  /** Dairy ("DAIRY") */
  | 'DAIRY'
  /** Defense & Space ("DEFENSE_SPACE") */
  | 'DEFENSE_SPACE'
  /** Design ("DESIGN") */
  | 'DESIGN'
  /** Education Management ("EDUCATION_MANAGEMENT") */
  | 'EDUCATION_MANAGEMENT'
  /** Electrical/Electronic Manufacturing ("ELECTRICAL_ELECTRONIC_MANUFACTURING") */
  | 'ELECTRICAL_ELECTRONIC_MANUFACTURING'
  /** Entertainment ("ENTERTAINMENT") */
  | 'ENTERTAINMENT'
  /** Environmental Services ("ENVIRONMENTAL_SERVICES") */
  | 'ENVIRONMENTAL_SERVICES'
  /** Events Services ("EVENTS_SERVICES") */
  | 'EVENTS_SERVICES'
  /** Executive Office ("EXECUTIVE_OFFICE") */
  | 'EXECUTIVE_OFFICE'
  /** E-Learning ("E_LEARNING") */
  | 'E_LEARNING'
  /** Facilities Services ("FACILITIES_SERVICES") */
  | 'FACILITIES_SERVICES'
  /** Farming ("FARMING") */
  | 'FARMING'
  /** Financial Services ("FINANCIAL_SERVICES") */
  | 'FINANCIAL_SERVICES'
  /** Fine Art ("FINE_ART") */
  | 'FINE_ART'
  /** Fishery ("FISHERY") */
  | 'FISHERY'
  /** Food & Beverages ("FOOD_BEVERAGES") */
  | 'FOOD_BEVERAGES'
  /** Food Production ("FOOD_PRODUCTION") */
  | 'FOOD_PRODUCTION'
  /** Fund-Raising ("FUND_RAISING") */
  | 'FUND_RAISING'
  /** Furniture ("FURNITURE") */
  | 'FURNITURE'
  /** Gambling & Casinos ("GAMBLING_CASINOS") */
  | 'GAMBLING_CASINOS'
  /** Glass, Ceramics & Concrete ("GLASS_CERAMICS_CONCRETE") */
  | 'GLASS_CERAMICS_CONCRETE'
  /** Government Administration ("GOVERNMENT_ADMINISTRATION") */
  | 'GOVERNMENT_ADMINISTRATION'
  /** Government Relations ("GOVERNMENT_RELATIONS") */
  | 'GOVERNMENT_RELATIONS'
  /** Graphic Design ("GRAPHIC_DESIGN") */
  | 'GRAPHIC_DESIGN'
  /** Health, Wellness and Fitness ("HEALTH_WELLNESS_AND_FITNESS") */
  | 'HEALTH_WELLNESS_AND_FITNESS'
  /** Higher Education ("HIGHER_EDUCATION") */
  | 'HIGHER_EDUCATION'
  /** Hospitality ("HOSPITALITY") */
  | 'HOSPITALITY'
  /** Hospital & Health Care ("HOSPITAL_HEALTH_CARE") */
  | 'HOSPITAL_HEALTH_CARE'
  /** Human Resources ("HUMAN_RESOURCES") */
  | 'HUMAN_RESOURCES'
  /** Import and Export ("IMPORT_AND_EXPORT") */
  | 'IMPORT_AND_EXPORT'
  /** Individual & Family Services ("INDIVIDUAL_FAMILY_SERVICES") */
  | 'INDIVIDUAL_FAMILY_SERVICES'
  /** Industrial Automation ("INDUSTRIAL_AUTOMATION") */
  | 'INDUSTRIAL_AUTOMATION'
  /** Information Services ("INFORMATION_SERVICES") */
  | 'INFORMATION_SERVICES'
  /** Information Technology and Services ("INFORMATION_TECHNOLOGY_AND_SERVICES") */
  | 'INFORMATION_TECHNOLOGY_AND_SERVICES'
  /** Insurance ("INSURANCE") */
  | 'INSURANCE'
  /** International Affairs ("INTERNATIONAL_AFFAIRS") */
  | 'INTERNATIONAL_AFFAIRS'
  /** International Trade and Development ("INTERNATIONAL_TRADE_AND_DEVELOPMENT") */
  | 'INTERNATIONAL_TRADE_AND_DEVELOPMENT'
  /** Internet ("INTERNET") */
  | 'INTERNET'
  /** Investment Banking ("INVESTMENT_BANKING") */
  | 'INVESTMENT_BANKING'
  /** Investment Management ("INVESTMENT_MANAGEMENT") */
  | 'INVESTMENT_MANAGEMENT'
  /** Judiciary ("JUDICIARY") */
  | 'JUDICIARY'
  /** Law Enforcement ("LAW_ENFORCEMENT") */
  | 'LAW_ENFORCEMENT'
  /** Law Practice ("LAW_PRACTICE") */
  | 'LAW_PRACTICE'
  /** Legal Services ("LEGAL_SERVICES") */
  | 'LEGAL_SERVICES'
  /** Legislative Office ("LEGISLATIVE_OFFICE") */
  | 'LEGISLATIVE_OFFICE'
  /** Leisure, Travel & Tourism ("LEISURE_TRAVEL_TOURISM") */
  | 'LEISURE_TRAVEL_TOURISM'
  /** Libraries ("LIBRARIES") */
  | 'LIBRARIES'
  /** Logistics and Supply Chain ("LOGISTICS_AND_SUPPLY_CHAIN") */
  | 'LOGISTICS_AND_SUPPLY_CHAIN'
  /** Luxury Goods & Jewelry ("LUXURY_GOODS_JEWELRY") */
  | 'LUXURY_GOODS_JEWELRY'
  /** Machinery ("MACHINERY") */
  | 'MACHINERY'
  /** Management Consulting ("MANAGEMENT_CONSULTING") */
  | 'MANAGEMENT_CONSULTING'
  /** Maritime ("MARITIME") */
  | 'MARITIME'
  /** Marketing and Advertising ("MARKETING_AND_ADVERTISING") */
  | 'MARKETING_AND_ADVERTISING'
  /** Market Research ("MARKET_RESEARCH") */
  | 'MARKET_RESEARCH'
  /** Mechanical or Industrial Engineering ("MECHANICAL_OR_INDUSTRIAL_ENGINEERING") */
  | 'MECHANICAL_OR_INDUSTRIAL_ENGINEERING'
  /** Media Production ("MEDIA_PRODUCTION") */
  | 'MEDIA_PRODUCTION'
  /** Medical Devices ("MEDICAL_DEVICES") */
  | 'MEDICAL_DEVICES'
  /** Medical Practice ("MEDICAL_PRACTICE") */
  | 'MEDICAL_PRACTICE'
  /** Mental Health Care ("MENTAL_HEALTH_CARE") */
  | 'MENTAL_HEALTH_CARE'
  /** Military ("MILITARY") */
  | 'MILITARY'
  /** Mining & Metals ("MINING_METALS") */
  | 'MINING_METALS'
  /** Mobile Games ("MOBILE_GAMES") */
  | 'MOBILE_GAMES'
  /** Motion Pictures and Film ("MOTION_PICTURES_AND_FILM") */
  | 'MOTION_PICTURES_AND_FILM'
  /** Museums and Institutions ("MUSEUMS_AND_INSTITUTIONS") */
  | 'MUSEUMS_AND_INSTITUTIONS'
  /** Music ("MUSIC") */
  | 'MUSIC'
  /** Nanotechnology ("NANOTECHNOLOGY") */
  | 'NANOTECHNOLOGY'
  /** Newspapers ("NEWSPAPERS") */
  | 'NEWSPAPERS'
  /** Non-Profit Organization Management ("NON_PROFIT_ORGANIZATION_MANAGEMENT") */
  | 'NON_PROFIT_ORGANIZATION_MANAGEMENT'
  /** Oil & Energy ("OIL_ENERGY") */
  | 'OIL_ENERGY'
  /** Online Media ("ONLINE_MEDIA") */
  | 'ONLINE_MEDIA'
  /** Outsourcing/Offshoring ("OUTSOURCING_OFFSHORING") */
  | 'OUTSOURCING_OFFSHORING'
  /** Package/Freight Delivery ("PACKAGE_FREIGHT_DELIVERY") */
  | 'PACKAGE_FREIGHT_DELIVERY'
  /** Packaging and Containers ("PACKAGING_AND_CONTAINERS") */
  | 'PACKAGING_AND_CONTAINERS'
  /** Paper & Forest Products ("PAPER_FOREST_PRODUCTS") */
  | 'PAPER_FOREST_PRODUCTS'
  /** Performing Arts ("PERFORMING_ARTS") */
  | 'PERFORMING_ARTS'
  /** Pharmaceuticals ("PHARMACEUTICALS") */
  | 'PHARMACEUTICALS'
  /** Philanthropy ("PHILANTHROPY") */
  | 'PHILANTHROPY'
  /** Photography ("PHOTOGRAPHY") */
  | 'PHOTOGRAPHY'
  /** Plastics ("PLASTICS") */
  | 'PLASTICS'
  /** Political Organization ("POLITICAL_ORGANIZATION") */
  | 'POLITICAL_ORGANIZATION'
  /** Primary/Secondary Education ("PRIMARY_SECONDARY_EDUCATION") */
  | 'PRIMARY_SECONDARY_EDUCATION'
  /** Printing ("PRINTING") */
  | 'PRINTING'
  /** Professional Training & Coaching ("PROFESSIONAL_TRAINING_COACHING") */
  | 'PROFESSIONAL_TRAINING_COACHING'
  /** Program Development ("PROGRAM_DEVELOPMENT") */
  | 'PROGRAM_DEVELOPMENT'
  /** Public Policy ("PUBLIC_POLICY") */
  | 'PUBLIC_POLICY'
  /** Public Relations and Communications ("PUBLIC_RELATIONS_AND_COMMUNICATIONS") */
  | 'PUBLIC_RELATIONS_AND_COMMUNICATIONS'
  /** Public Safety ("PUBLIC_SAFETY") */
  | 'PUBLIC_SAFETY'
  /** Publishing ("PUBLISHING") */
  | 'PUBLISHING'
  /** Railroad Manufacture ("RAILROAD_MANUFACTURE") */
  | 'RAILROAD_MANUFACTURE'
  /** Ranching ("RANCHING") */
  | 'RANCHING'
  /** Real Estate ("REAL_ESTATE") */
  | 'REAL_ESTATE'
  /** Recreational Facilities and Services ("RECREATIONAL_FACILITIES_AND_SERVICES") */
  | 'RECREATIONAL_FACILITIES_AND_SERVICES'
  /** Religious Institutions ("RELIGIOUS_INSTITUTIONS") */
  | 'RELIGIOUS_INSTITUTIONS'
  /** Renewables & Environment ("RENEWABLES_ENVIRONMENT") */
  | 'RENEWABLES_ENVIRONMENT'
  /** Research ("RESEARCH") */
  | 'RESEARCH'
  /** Restaurants ("RESTAURANTS") */
  | 'RESTAURANTS'
  /** Retail ("RETAIL") */
  | 'RETAIL'
  /** Security and Investigations ("SECURITY_AND_INVESTIGATIONS") */
  | 'SECURITY_AND_INVESTIGATIONS'
  /** Semiconductors ("SEMICONDUCTORS") */
  | 'SEMICONDUCTORS'
  /** Shipbuilding ("SHIPBUILDING") */
  | 'SHIPBUILDING'
  /** Sporting Goods ("SPORTING_GOODS") */
  | 'SPORTING_GOODS'
  /** Sports ("SPORTS") */
  | 'SPORTS'
  /** Staffing and Recruiting ("STAFFING_AND_RECRUITING") */
  | 'STAFFING_AND_RECRUITING'
  /** Supermarkets ("SUPERMARKETS") */
  | 'SUPERMARKETS'
  /** Telecommunications ("TELECOMMUNICATIONS") */
  | 'TELECOMMUNICATIONS'
  /** Textiles ("TEXTILES") */
  | 'TEXTILES'
  /** Think Tanks ("THINK_TANKS") */
  | 'THINK_TANKS'
  /** Tobacco ("TOBACCO") */
  | 'TOBACCO'
  /** Translation and Localization ("TRANSLATION_AND_LOCALIZATION") */
  | 'TRANSLATION_AND_LOCALIZATION'
  /** Transportation/Trucking/Railroad ("TRANSPORTATION_TRUCKING_RAILROAD") */
  | 'TRANSPORTATION_TRUCKING_RAILROAD'
  /** Utilities ("UTILITIES") */
  | 'UTILITIES'
  /** Venture Capital & Private Equity ("VENTURE_CAPITAL_PRIVATE_EQUITY") */
  | 'VENTURE_CAPITAL_PRIVATE_EQUITY'
  /** Veterinary ("VETERINARY") */
  | 'VETERINARY'
  /** Warehousing ("WAREHOUSING") */
  | 'WAREHOUSING'
  /** Wholesale ("WHOLESALE") */
  | 'WHOLESALE'
  /** Wine and Spirits ("WINE_AND_SPIRITS") */
  | 'WINE_AND_SPIRITS'
  /** Wireless ("WIRELESS") */
  | 'WIRELESS'
  /** Writing and Editing ("WRITING_AND_EDITING") */
  | 'WRITING_AND_EDITING';

/** Values of a company to write: a field left out is left as it is, null clears it. */
export type CompanyInput = {
  annualrevenue?: number | null | undefined;
  city?: string | null | undefined;
  country?: string | null | undefined;
  description?: string | null | undefined;
  domain?: string | null | undefined;
  hubspot_owner_id?: number | null | undefined;
  industry?: CompanyIndustry | null | undefined;
  lifecyclestage?: CompanyLifecyclestage | null | undefined;
  name?: string | null | undefined;
  numberofemployees?: number | null | undefined;
  phone?: string | null | undefined;
  state?: string | null | undefined;
  website?: string | null | undefined;
};

/** The options of a property. */
export type CompanyLifecyclestage =
  /** Customer ("customer") */
  | 'customer'
  /** Evangelist ("evangelist") */
  | 'evangelist'
  /** Lead ("lead") */
  | 'lead'
  /** Marketing Qualified Lead ("marketingqualifiedlead") */
  | 'marketingqualifiedlead'
  /** Opportunity ("opportunity") */
  | 'opportunity'
  /** Other ("other") */
  | 'other'
  /** Sales Qualified Lead ("salesqualifiedlead") */
  | 'salesqualifiedlead'
  /** Subscriber ("subscriber") */
  | 'subscriber';

/** The options of a property. */
export type ContactHsLeadStatus =
  /** Attempted to Contact ("ATTEMPTED_TO_CONTACT") */
  | 'ATTEMPTED_TO_CONTACT'
  /** Bad Timing ("BAD_TIMING") */
  | 'BAD_TIMING'
  /** Connected ("CONNECTED") */
  | 'CONNECTED'
  /** In Progress ("IN_PROGRESS") */
  | 'IN_PROGRESS'
  /** New ("NEW") */
  | 'NEW'
  /** Open ("OPEN") */
  | 'OPEN'
  /** Open Deal ("OPEN_DEAL") */
  | 'OPEN_DEAL'
  /** Unqualified ("UNQUALIFIED") */
  | 'UNQUALIFIED';

/** Values of a contact to write: a field left out is left as it is, null clears it. */
export type ContactInput = {
  address?: string | null | undefined;
  city?: string | null | undefined;
  company?: string | null | undefined;
  country?: string | null | undefined;
  email?: string | null | undefined;
  firstname?: string | null | undefined;
  hs_additional_emails?: string | null | undefined;
  hs_lead_status?: ContactHsLeadStatus | null | undefined;
  hubspot_owner_id?: number | null | undefined;
  jobtitle?: string | null | undefined;
  lastname?: string | null | undefined;
  lifecyclestage?: ContactLifecyclestage | null | undefined;
  mobilephone?: string | null | undefined;
  phone?: string | null | undefined;
  state?: string | null | undefined;
  website?: string | null | undefined;
  zip?: string | null | undefined;
};

/** The options of a property. */
export type ContactLifecyclestage =
  /** Customer ("customer") */
  | 'customer'
  /** Evangelist ("evangelist") */
  | 'evangelist'
  /** Lead ("lead") */
  | 'lead'
  /** Marketing Qualified Lead ("marketingqualifiedlead") */
  | 'marketingqualifiedlead'
  /** Opportunity ("opportunity") */
  | 'opportunity'
  /** Other ("other") */
  | 'other'
  /** Sales Qualified Lead ("salesqualifiedlead") */
  | 'salesqualifiedlead'
  /** Subscriber ("subscriber") */
  | 'subscriber';

/** An association of a record being created. */
export type NewAssociationInput = {
  /** Label texts of the association; none means the unlabeled association. */
  labels?: Array<string> | null | undefined;
  /** The global id of a live record to associate with. */
  to: string | number;
};

export type CreateCompanyMutationVariables = Exact<{
  input: CompanyInput;
}>;


export type CreateCompanyMutation = { createCompany: { record: { id: string } } | null };

export type CreateContactMutationVariables = Exact<{
  input: ContactInput;
  associations?: Array<NewAssociationInput> | NewAssociationInput | null | undefined;
}>;


export type CreateContactMutation = { createContact: { record: { id: string, recordId: string, createdAt: string } } | null };

export type ContactsByEmailQueryVariables = Exact<{
  email: string;
}>;


export type ContactsByEmailQuery = { contacts: { totalCount: number, edges: Array<{ node: { id: string, displayName: string, email: string | null, firstname: string | null, lastname: string | null, lifecyclestage: ContactLifecyclestage | null, createdate: string | null, createdAt: string, companies: { totalCount: number, edges: Array<{ labels: Array<{ label: string | null }>, node: { id: string, displayName: string, name: string | null, domain: string | null, industry: CompanyIndustry | null, numberofemployees: number | null, annualrevenue: number | null } }> } } }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CreateCompanyDocument = new TypedDocumentString(`
    mutation CreateCompany($input: CompanyInput!) {
  createCompany(input: $input) {
    record {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<CreateCompanyMutation, CreateCompanyMutationVariables>;
export const CreateContactDocument = new TypedDocumentString(`
    mutation CreateContact($input: ContactInput!, $associations: [NewAssociationInput!]) {
  createContact(input: $input, associations: $associations) {
    record {
      id
      recordId
      createdAt
    }
  }
}
    `) as unknown as TypedDocumentString<CreateContactMutation, CreateContactMutationVariables>;
export const ContactsByEmailDocument = new TypedDocumentString(`
    query ContactsByEmail($email: String!) {
  contacts(filter: {email: {eq: $email}}, first: 10) {
    totalCount
    edges {
      node {
        id
        displayName
        email
        firstname
        lastname
        lifecyclestage
        createdate
        createdAt
        companies(first: 10) {
          totalCount
          edges {
            labels {
              label
            }
            node {
              id
              displayName
              name
              domain
              industry
              numberofemployees
              annualrevenue
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ContactsByEmailQuery, ContactsByEmailQueryVariables>;