import { Inject, Injectable } from '@nestjs/common';
import { type ModelRoute, ProvidersService } from '../providers/providers.service.js';
import type { OpenAIModelDto, OpenAIModelListDto } from './dto/models.dto.js';
import { OpenAICompatError } from './openai-compat.errors.js';

// Model ids as OpenAI clients see them: "provider/model".
@Injectable()
export class CompatModelsService {
  constructor(@Inject(ProvidersService) private readonly providers: ProvidersService) {}

  // "provider/model" splits at the first slash (the model may hold more, as OpenRouter's do);
  // a bare id goes to the default model's provider. Unknown providers are refused downstream.
  route(model: string): ModelRoute {
    const slash = model.indexOf('/');
    if (slash > 0) {
      const route = { provider: model.slice(0, slash), model: model.slice(slash + 1) };
      if (!route.model) throw OpenAICompatError.modelNotFound(model);
      return route;
    }
    const fallback = this.providers.defaultRoute();
    if (!fallback) throw OpenAICompatError.modelNotFound(model);
    return { provider: fallback.provider, model };
  }

  async list(userId: string): Promise<OpenAIModelListDto> {
    const providers = await this.providers.listForUser(userId);
    return {
      object: 'list',
      data: providers.flatMap((p) => p.models.map((m) => ({ id: `${p.id}/${m.id}`, object: 'model' as const, created: 0, owned_by: p.id }))),
    };
  }

  // One model of the list; a bare id is looked up under the default provider.
  async get(userId: string, id: string): Promise<OpenAIModelDto> {
    const { provider, model } = this.route(id);
    const found = (await this.list(userId)).data.find((m) => m.id === `${provider}/${model}`);
    if (!found) throw OpenAICompatError.modelNotFound(id);
    return found;
  }
}
