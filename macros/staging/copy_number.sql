{#- 1 for the first of a set of exactly equal raw rows (after trimming), 2.. for the copies,
    which are collapsed into the first and counted (contract, "Bad input"). -#}
{% macro copy_number(entity, key_columns) -%}
    {{ return(adapter.dispatch('copy_number', 'personas')(entity, key_columns)) }}
{%- endmacro %}

{% macro default__copy_number(entity, key_columns) -%}
    row_number() over (
        partition by {{ personas.raw_contract(entity)['columns'] | join(', ') }}
        order by {{ key_columns | join(', ') }}
    )
{%- endmacro %}
