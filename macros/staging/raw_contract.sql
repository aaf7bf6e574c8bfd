{#- The raw data contract of one entity, read from its declaration: the table `entity` of the
    source `raw` (models/staging/_raw__sources.yml), whose columns' config.meta carry
      type      text (default), timestamp, date, integer, money or boolean
      required  true when a missing value quarantines the row
      values    the accepted values of an enum column.
    Returns {'columns': [names, in declared order], 'required': [names],
             'typed': {name: {'type': type, 'parsed': name ~ '_parsed'}},
             'enums': {name: [values]}}.
    The declaration is read from dbt's graph, which is complete only at execution: while dbt
    parses the project (execute false) the contract is empty, which changes no dependency
    (raw_input and the models' refs do not depend on it). -#}
{% macro raw_contract(entity) -%}
    {%- set contract = {'columns': [], 'required': [], 'typed': {}, 'enums': {}} -%}
    {%- if not execute -%}
        {{ return(contract) }}
    {%- endif -%}
    {%- set declared = personas.raw_contract_declaration(entity) -%}
    {%- if declared is none -%}
        {{ exceptions.raise_compiler_error(
            "No raw data contract for '" ~ entity ~ "': declare it as a table of the source "
            ~ "'raw' in models/staging/_raw__sources.yml (docs/data-contract.md)."
        ) }}
    {%- endif -%}
    {%- set types = ['text'] + personas.unparseable_reasons().keys() | list -%}
    {%- set known = ['type', 'required', 'values'] -%}
    {%- for declared_column in declared -%}
        {%- set name = declared_column[0] | lower -%}
        {%- set meta = declared_column[1] or {} -%}
        {%- set type = meta.get('type', 'text') -%}
        {%- for key in meta if key not in known -%}
            {{ exceptions.raise_compiler_error(
                "Raw data contract, " ~ entity ~ "." ~ name ~ ": unknown meta key '" ~ key
                ~ "' (known: " ~ known | join(', ') ~ ")."
            ) }}
        {%- endfor -%}
        {%- if type not in types -%}
            {{ exceptions.raise_compiler_error(
                "Raw data contract, " ~ entity ~ "." ~ name ~ ": type '" ~ type
                ~ "' is not one of " ~ types | join(', ') ~ "."
            ) }}
        {%- endif -%}
        {%- if meta.get('values') is not none and (meta['values'] is string or not meta['values']) -%}
            {{ exceptions.raise_compiler_error(
                "Raw data contract, " ~ entity ~ "." ~ name ~ ": values must be a non-empty list."
            ) }}
        {%- endif -%}
        {%- do contract['columns'].append(name) -%}
        {%- if meta.get('required', false) -%}
            {%- do contract['required'].append(name) -%}
        {%- endif -%}
        {%- if type != 'text' -%}
            {%- do contract['typed'].update({name: {'type': type, 'parsed': name ~ '_parsed'}}) -%}
        {%- endif -%}
        {%- if meta.get('values') -%}
            {%- do contract['enums'].update({name: meta['values'] | map('string') | list}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(contract) }}
{%- endmacro %}

{#- The declared columns of an entity as [name, meta] pairs, or none if it is not declared:
    from dbt's graph, or, in a unit test, whose graph dbt leaves without sources, from the
    copy that scripts/raw_contract.py generates from the same YAML (raw_contract_declared;
    tests/python/test_raw_contract.py fails when it is stale). -#}
{% macro raw_contract_declaration(entity) -%}
    {%- if graph.get('sources') -%}
        {%- set tables = graph['sources'].values() | selectattr('source_name', 'equalto', 'raw')
            | selectattr('name', 'equalto', entity) | list -%}
        {%- if not tables -%}
            {{ return(none) }}
        {%- endif -%}
        {%- set pairs = [] -%}
        {%- for column in tables[0]['columns'].values() -%}
            {%- do pairs.append([column['name'], column.get('config', {}).get('meta') or column.get('meta') or {}]) -%}
        {%- endfor -%}
        {{ return(pairs) }}
    {%- endif -%}
    {{ return(personas.raw_contract_declared().get(entity)) }}
{%- endmacro %}

{#- Every typed column of an entity parsed once, as <column>_parsed (a select list, each item
    preceded by a comma). -#}
{% macro parsed_columns(entity) -%}
    {%- for column, spec in personas.raw_contract(entity)['typed'].items() %},
        {{ personas.parse_typed(column, spec['type']) }} as {{ spec['parsed'] }}
    {%- endfor %}
{%- endmacro %}

{#- The contract's types other than text, each with the quarantine reason of a value that does
    not parse as it (personas.parse_typed has the parser of each). -#}
{% macro unparseable_reasons() -%}
    {{ return({
        'timestamp': 'unparseable_timestamp', 'date': 'unparseable_date',
        'integer': 'unparseable_number', 'money': 'unparseable_number',
        'boolean': 'unparseable_boolean',
    }) }}
{%- endmacro %}

{#- One text column parsed as its contract type says. -#}
{% macro parse_typed(column, type) -%}
    {%- if type == 'timestamp' -%}{{ personas.parse_utc_timestamp(column) }}
    {%- elif type == 'date' -%}{{ personas.parse_date(column) }}
    {%- elif type == 'integer' -%}{{ personas.parse_integer(column) }}
    {%- elif type == 'money' -%}{{ personas.parse_money(column) }}
    {%- elif type == 'boolean' -%}{{ personas.parse_boolean(column) }}
    {%- else -%}{{ exceptions.raise_compiler_error("No parser for contract type '" ~ type ~ "'.") }}
    {%- endif -%}
{%- endmacro %}

{#- A select list of the entity's contract columns, in declared order, each read from
    `relation` (if given) as it is (text) or, with typed=true, as its parsed value;
    overrides maps a column to the expression that replaces it, or to [expression, name] to
    name it otherwise. Each item ends with a comma
    but the last; pass trailing=true to end the last one with a comma too. -#}
{% macro contract_columns(entity, relation=none, typed=false, overrides={}, trailing=false) -%}
    {%- set contract = personas.raw_contract(entity) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- for column in contract['columns'] %}
        {%- if column in overrides and overrides[column] is not string %}
        {{ overrides[column][0] }} as {{ overrides[column][1] }}
        {%- elif column in overrides %}
        {{ overrides[column] }} as {{ column }}
        {%- elif typed and column in contract['typed'] %}
        {{ prefix }}{{ contract['typed'][column]['parsed'] }} as {{ column }}
        {%- else %}
        {{ prefix }}{{ column }}
        {%- endif %}{{ ',' if trailing or not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The parsed columns of an entity (<column>_parsed) read from `relation`, a select list
    whose items each end with a comma. -#}
{% macro contract_parsed_columns(entity, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- for column, spec in personas.raw_contract(entity)['typed'].items() %}
        {{ prefix }}{{ spec['parsed'] }},
    {%- endfor %}
{%- endmacro %}

{#- The raw entities whose rows are checked, staged or quarantined, and reconciled, in contract
    order (the configuration seeds, sales_periods and rfm_segments, are not). Each has the
    models base_<name>, stg_<name> and stg_<name>_quarantine, where <name> drops `raw_`.
    A list here, not read from the declaration: the models that loop over it call ref() for
    each, which dbt records while it parses, before the declaration is read. -#}
{% macro checked_entities() -%}
    {{ return(['raw_profiles', 'raw_orders', 'raw_order_lines', 'raw_email_events', 'raw_site_visits']) }}
{%- endmacro %}
